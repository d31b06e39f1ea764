using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GoChat.WebFront.Apis;

/// <summary>What a legacy parameter holds: a session token, a whole number, free text, one of a few values, or a file.</summary>
internal enum LegacyParameterKind
{
    Token,
    Integer,
    Text,
    Choice,
    File,
}

/// <summary>
/// One parameter of a douyin or ginchat route (a query-string or form field); <see cref="UsedWhen"/>:
/// read only when another parameter (a choice, e.g. action_type) has the given value.
/// </summary>
internal sealed record LegacyParameter(string Name, LegacyParameterKind Kind, IReadOnlyList<string> Choices)
{
    public (string Choice, string Value)? UsedWhen { get; init; }

    public LegacyParameter When(string choice, string value) => this with { UsedWhen = (choice, value) };

    public static readonly LegacyParameter Token = new("token", LegacyParameterKind.Token, []);

    public static LegacyParameter Integer(string name) => new(name, LegacyParameterKind.Integer, []);

    public static LegacyParameter Text(string name) => new(name, LegacyParameterKind.Text, []);

    public static LegacyParameter Choice(string name, params string[] choices) => new(name, LegacyParameterKind.Choice, choices);

    public static LegacyParameter File(string name) => new(name, LegacyParameterKind.File, []);
}

/// <summary>
/// The parameters a legacy route reads, declared where the route is mapped. They are read by hand
/// (<see cref="LegacyParams"/>, from the query string or form fields), so the framework cannot
/// describe them: the declaration puts them in the OpenAPI document, and <see cref="LegacyParams"/>
/// refuses to read a name its route did not declare, which keeps the declaration true. Tests that
/// send every route every kind of bad value read them from the document.
/// </summary>
internal sealed class LegacyParameters(IReadOnlyList<LegacyParameter> parameters)
{
    public IReadOnlyList<LegacyParameter> All => parameters;

    public bool Declares(string name) => parameters.Any(p => p.Name == name);
}

internal static class LegacyParameterRoutes
{
    /// <summary>The OpenAPI extension saying which choice a parameter belongs to: {"action_type": "2"}.</summary>
    public const string UsedWhenExtension = "x-used-when";

    /// <summary>Declares the parameters this route reads (see <see cref="LegacyParameters"/>).</summary>
    public static RouteHandlerBuilder Reads(this RouteHandlerBuilder route, params LegacyParameter[] parameters)
    {
        route.WithMetadata(new LegacyParameters(parameters));
        return route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Describe(operation, parameters);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Query parameters, and for a route taking a file a multipart body holding every field (the
    /// routes read form fields and the query string alike; a form field wins).
    /// </summary>
    static void Describe(OpenApiOperation operation, IReadOnlyList<LegacyParameter> parameters)
    {
        operation.Parameters ??= [];
        foreach (var parameter in parameters.Where(p => p.Kind != LegacyParameterKind.File))
        {
            var described = new OpenApiParameter { Name = parameter.Name, In = ParameterLocation.Query, Schema = Schema(parameter) };
            if (parameter.UsedWhen is { } used)
            {
                described.Description = $"read only when {used.Choice} is {used.Value}";
                described.Extensions = new Dictionary<string, IOpenApiExtension>
                {
                    [UsedWhenExtension] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonObject { [used.Choice] = used.Value }),
                };
            }
            operation.Parameters.Add(described);
        }
        if (parameters.All(p => p.Kind != LegacyParameterKind.File)) return;
        operation.RequestBody = new OpenApiRequestBody
        {
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = parameters.ToDictionary(p => p.Name, p => (IOpenApiSchema)Schema(p)),
                    },
                },
            },
        };
    }

    static OpenApiSchema Schema(LegacyParameter parameter) => parameter.Kind switch
    {
        LegacyParameterKind.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
        LegacyParameterKind.File => new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
        LegacyParameterKind.Token => new OpenApiSchema { Type = JsonSchemaType.String, Description = "the session token (or Authorization: Bearer)" },
        LegacyParameterKind.Choice => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. parameter.Choices.Select(c => (System.Text.Json.Nodes.JsonNode)c)] },
        _ => new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
