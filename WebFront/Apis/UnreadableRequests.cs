using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;

namespace GoChat.WebFront.Apis;

/// <summary>
/// What a native client hears when its request could not be read: a 4xx problem saying what to
/// fix, never the framework's wording, which names .NET types ("could not be converted to
/// GoChat.WebFront.Apis.RegisterRequest", "Failed to bind parameter \"int? limit\"").
/// </summary>
internal static partial class UnreadableRequests
{
    /// <summary>
    /// Refuses, with 415, a JSON body to /api/ in a charset .NET cannot decode: the framework's
    /// JSON binding fails on it with an exception that is not a bad request (so a 500). The test is
    /// the framework's own: "utf-8", or a name <see cref="Encoding.GetEncoding(string)"/> knows.
    /// </summary>
    public static IApplicationBuilder UseJsonCharsetCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/api")
            && MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)
            && IsJson(type)
            && type.Charset is { HasValue: true } charset
            && !IsKnownEncoding(charset.Value!))
        {
            await Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: $"the charset {Grains.FreeText.Quote(charset.Value)} is not supported; send JSON as UTF-8").ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    /// <summary>The problem detail for a request the framework could not bind.</summary>
    public static string Describe(BadHttpRequestException e)
    {
        if (e.InnerException is JsonException json) return Describe(json);
        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType) return "send the request body as JSON (Content-Type: application/json)";
        if (BindingFailed().Match(e.Message) is { Success: true } failed)
            return IntegerTypes.Contains(failed.Groups["type"].Value.Replace("Nullable<", "").TrimEnd('>', '?'))
                ? $"{failed.Groups["name"].Value} must be a whole number"
                : $"{failed.Groups["name"].Value} is not valid";
        if (RequiredMissing().Match(e.Message) is { Success: true } missing) return $"{missing.Groups["name"].Value} is required";
        if (ParameterNamed().IsMatch(e.Message)) return "the request could not be read";
        // Kestrel's own refusals (a body too large, cut short, malformed) name no types.
        return e.Message;
    }

    /// <summary>Where the body went wrong, from the reader's position: the framework's message names the target type.</summary>
    static string Describe(JsonException json)
    {
        var at = $"line {json.LineNumber + 1}, position {json.BytePositionInLine + 1}";
        // A reader (syntax) error is a JsonException inside the one binding reports; a value that does not fit its field is not.
        return json.InnerException is JsonException
            ? $"the request body is not valid JSON ({at})"
            : $"the JSON body does not fit this route: the value at {json.Path ?? "$"} has the wrong type or is not valid text ({at})";
    }

    static bool IsJson(MediaTypeHeaderValue type) =>
        type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);

    static bool IsKnownEncoding(string charset)
    {
        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            Encoding.GetEncoding(charset);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static readonly HashSet<string> IntegerTypes = ["int", "long", "short", "Int32", "Int64", "Int16"];

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from""")]
    private static partial Regex BindingFailed();

    [GeneratedRegex("""^Required parameter "\S+ (?<name>\w+)" was not provided""")]
    private static partial Regex RequiredMissing();

    /// <summary>Any other binding message quoting a parameter with its type ("Type name").</summary>
    [GeneratedRegex("""parameter "\S+ \w+"|inferred for parameter""")]
    private static partial Regex ParameterNamed();
}
