using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront;
using GoChat.WebFront.Realtime;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.HostileInput;

/// <summary>The shape an API answers in (docs/api.md): native problem JSON, the douyin envelope, ginchat's {code, message}, or bytes.</summary>
public enum Dialect
{
    Native,
    Douyin,
    Ginchat,
    /// <summary>Routes serving bytes (douyin's play and cover URLs, fetched by players): the bytes, or a 4xx problem.</summary>
    Bytes,
}

/// <summary>What a parameter or body field holds, as the OpenAPI document describes it.</summary>
public enum ValueKind
{
    Integer,
    Text,
    Token,
    Choice,
    File,
    IntegerList,
}

/// <remarks><see cref="UsedWhen"/>: the field is read only when a choice has this value (the legacy routes' x-used-when).</remarks>
public sealed record Field(string Name, ValueKind Kind, IReadOnlyList<string> Choices)
{
    public (string Choice, string Value)? UsedWhen { get; init; }

    public override string ToString() => $"{Name}:{Kind}";
}

/// <summary>One method of one route, with the inputs the OpenAPI document says it reads.</summary>
/// <remarks><see cref="Authenticated"/>: the route needs a token (native: it requires authorization; legacy: it reads a token).</remarks>
public sealed record HttpRoute(
    string Method, string Path, Dialect Dialect, bool Authenticated, IReadOnlyList<Field> PathParameters, IReadOnlyList<Field> Query,
    string? BodyType, IReadOnlyList<Field> Body)
{
    public override string ToString() => $"{Method} {Path}";

    public IEnumerable<Field> Inputs => PathParameters.Concat(Query).Concat(Body);
}

public sealed record HubMethod(string Name, IReadOnlyList<ParameterInfo> Parameters)
{
    public override string ToString() => $"{Name}({string.Join(", ", Parameters.Select(p => p.ParameterType.Name))})";
}

/// <summary>
/// Everything a client can reach, read from the running app rather than listed by hand, so a new
/// route or hub method is in every generated test without anyone remembering to add it: the
/// routes from the app's <see cref="EndpointDataSource"/> (each method of each route), their
/// inputs from its OpenAPI document (/openapi/v1.json: path and query parameters, JSON and
/// multipart bodies; the legacy routes declare theirs with .Reads(...)), the hub's methods by
/// reflection over <see cref="ChatHub"/> (all its partial files are one type). Endpoints that are
/// not API routes (health, metrics, the document itself, the web client's pages, the hub's own
/// endpoints) are named with the reason; anything else unclassified fails the enumeration.
/// </summary>
public sealed partial class ApiSurface
{
    public required IReadOnlyList<HttpRoute> Routes { get; init; }
    public required IReadOnlyList<string> NotApis { get; init; }
    public required IReadOnlyList<HubMethod> HubMethods { get; init; }

    public static async Task<ApiSurface> ReadAsync(GoChatHost host)
    {
        using var client = host.Client();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        var schemas = document.RootElement.GetProperty("components").TryGetProperty("schemas", out var s) ? s : default;

        var routes = new List<HttpRoute>();
        var notApis = new List<string>();
        foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var template = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (NotAnApi(template, endpoint) is { } why)
            {
                notApis.Add($"{template}: {why}");
                continue;
            }
            var dialect = DialectOf(template, endpoint)
                ?? throw new InvalidOperationException($"the endpoint {template} ({endpoint.DisplayName}) is neither an API route of a dialect nor a known other endpoint: classify it in ApiSurface");
            var path = DocumentPath(template);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                if (!paths.TryGetProperty(path, out var operations) || !operations.TryGetProperty(method.ToLowerInvariant(), out var operation))
                    throw new InvalidOperationException($"{method} {path} is not in the OpenAPI document: a route hidden from it is hidden from the corpus too");
                var route = Describe(method, path, dialect, operation, schemas);
                routes.Add(route with { Authenticated = endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null || route.Inputs.Any(i => i.Kind == ValueKind.Token) });
            }
        }

        var hubMethods = typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.DeclaringType == typeof(ChatHub) && !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(ChatHub))
            .Select(m => new HubMethod(m.Name, m.GetParameters()))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        return new ApiSurface { Routes = routes, NotApis = notApis, HubMethods = hubMethods };
    }

    static string? NotAnApi(string template, RouteEndpoint endpoint) => template switch
    {
        "/healthz" or "/readyz" => "health probe",
        "/metrics" => "Prometheus metrics",
        _ when template.StartsWith("/openapi/", StringComparison.Ordinal) => "the OpenAPI document",
        _ when template.StartsWith("/api-reference", StringComparison.Ordinal) => "the API reference page",
        _ when template.StartsWith("/dashboard", StringComparison.Ordinal) => "the Orleans dashboard (administrators)",
        _ when template.StartsWith("/hubs/", StringComparison.Ordinal) => "the SignalR hub (its methods are enumerated by reflection)",
        _ when GoChat.WebFront.WebClient.Pages.Contains(template) => "a page of the web client",
        _ => null,
    };

    static Dialect? DialectOf(string template, RouteEndpoint endpoint)
    {
        var tags = endpoint.Metadata.GetMetadata<ITagsMetadata>()?.Tags ?? [];
        if (template.StartsWith("/api/", StringComparison.Ordinal)) return Dialect.Native;
        if (template.StartsWith("/douyin/videos/", StringComparison.Ordinal)) return Dialect.Bytes;
        if (template.StartsWith("/douyin/", StringComparison.Ordinal)) return Dialect.Douyin;
        if (tags.Contains("ginchat")) return Dialect.Ginchat;
        return null;
    }

    /// <summary>The OpenAPI document's key for a route template: no constraints, no trailing slash.</summary>
    static string DocumentPath(string template)
    {
        var path = Constraint().Replace(template, "{${name}}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(@"\{(?<name>\w+)(:[^}]*)?\}")]
    private static partial Regex Constraint();

    static HttpRoute Describe(string method, string path, Dialect dialect, JsonElement operation, JsonElement schemas)
    {
        var pathParameters = new List<Field>();
        var query = new List<Field>();
        if (operation.TryGetProperty("parameters", out var parameters))
            foreach (var parameter in parameters.EnumerateArray())
            {
                var field = FieldOf(parameter.GetProperty("name").GetString()!, parameter.GetProperty("schema"), schemas);
                if (parameter.TryGetProperty("x-used-when", out var when) && when.EnumerateObject().FirstOrDefault() is { Value.ValueKind: JsonValueKind.String } choice)
                    field = field with { UsedWhen = (choice.Name, choice.Value.GetString()!) };
                (parameter.GetProperty("in").GetString() == "path" ? pathParameters : query).Add(field);
            }
        string? bodyType = null;
        var body = new List<Field>();
        if (operation.TryGetProperty("requestBody", out var requestBody) && requestBody.TryGetProperty("content", out var content))
            foreach (var type in content.EnumerateObject())
            {
                bodyType = type.Name;
                var schema = Resolve(type.Value.GetProperty("schema"), schemas);
                if (schema.TryGetProperty("properties", out var properties))
                    body.AddRange(properties.EnumerateObject().Select(p => FieldOf(p.Name, p.Value, schemas)));
                break;
            }
        return new HttpRoute(method, path, dialect, Authenticated: false, pathParameters, query, bodyType, body);
    }

    static Field FieldOf(string name, JsonElement schema, JsonElement schemas)
    {
        schema = Resolve(schema, schemas);
        var types = schema.TryGetProperty("type", out var type)
            ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!]
            : [];
        if (schema.TryGetProperty("enum", out var choices))
            return new Field(name, ValueKind.Choice, choices.EnumerateArray().Select(c => c.ToString()).ToList());
        if (types.Contains("array")) return new Field(name, ValueKind.IntegerList, []);
        if (types.Contains("integer")) return new Field(name, ValueKind.Integer, []);
        if (schema.TryGetProperty("format", out var format) && format.GetString() == "binary") return new Field(name, ValueKind.File, []);
        return new Field(name, name == "token" ? ValueKind.Token : ValueKind.Text, []);
    }

    /// <summary>Follows a $ref, and unwraps "oneOf: [null, X]" (a nullable body).</summary>
    static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        if (schema.TryGetProperty("oneOf", out var oneOf))
            schema = oneOf.EnumerateArray().First(s => !(s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
        return schema.TryGetProperty("$ref", out var reference)
            ? schemas.GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
    }
}
