using System.Text;
using System.Text.Json;

namespace GoChat.Tests.HostileInput;

/// <summary>
/// What every answer to bad input must be (docs/api.md): never a 5xx; an error in the dialect of
/// the route (native: RFC 7807 problem JSON with a 4xx status and a detail; douyin: HTTP 200 and
/// its envelope; ginchat: HTTP 200 and {code, message}, or {Code, Msg} on /contact/addFriend; a
/// path or method no route takes: the legacy envelope with the HTTP status, 404 or 405);
/// no trace of the server's internals (stack traces, .NET type names, SQL, file paths); and no
/// echo of megabytes the client sent.
/// </summary>
public static class DialectAnswers
{
    /// <summary>An error body larger than this echoes the input back; none needs more.</summary>
    const int MaxErrorBody = 16 * 1024;

    /// <summary>Signs of internals. Hostile input never contains these, so an echo of it cannot trip them.</summary>
    static readonly string[] InternalMarks =
    [
        "   at ", "Exception", "System.", "Microsoft.", "GoChat.", "Npgsql", "Orleans", "SqlState", "SQLSTATE", "SELECT ", "INSERT INTO",
        "UPDATE ", "DELETE FROM", " WHERE ", "syntax error at", "violates", "relation \"", ".cs:line", "/work/", "/tmp/", "/home/",
        "/usr/", "wwwroot", "0x0000",
    ];

    /// <summary>The first sign of the server's internals in <paramref name="text"/>, or null.</summary>
    public static string? Internals(string text) => InternalMarks.FirstOrDefault(i => text.Contains(i, StringComparison.Ordinal))?.Trim();

    /// <summary>Null when the answer is right for the route's dialect; else what is wrong with it.</summary>
    /// <param name="transportRefusal">The request was too large for HTTP itself (a request line past Kestrel's limit): an empty 4xx is its answer.</param>
    /// <param name="routingRefusal">No route takes the path or method: a legacy answer may have the HTTP status.</param>
    public static string? Check(Dialect dialect, string path, int status, string? mediaType, byte[] body, bool transportRefusal = false, bool routingRefusal = false)
    {
        if (status >= 500) return $"HTTP {status}";
        if (transportRefusal && status is >= 400 and < 500 && body.Length == 0) return null;
        var text = Encoding.UTF8.GetString(body);
        if (Internals(text) is { } leak) return $"the body shows internals ('{leak}'): {Shorten(text)}";
        return dialect switch
        {
            Dialect.Native or Dialect.Bytes => Native(status, mediaType, text),
            Dialect.Douyin => Envelope(status, routingRefusal, text, body.Length, "status_code", "status_msg"),
            _ when path.StartsWith("/contact/addFriend", StringComparison.Ordinal) => Envelope(status, routingRefusal, text, body.Length, "Code", "Msg"),
            _ => Envelope(status, routingRefusal, text, body.Length, "code", "message"),
        };
    }

    static string? Native(int status, string? mediaType, string text)
    {
        if (status < 400) return null;
        if (mediaType != "application/problem+json") return $"HTTP {status} as {mediaType ?? "no content type"}, not problem JSON: {Shorten(text)}";
        if (text.Length > MaxErrorBody) return $"a {text.Length}-character problem (an echo of the input?)";
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            if (!problem.TryGetProperty("status", out var s) || s.GetInt32() != status) return $"the problem's status is not {status}: {Shorten(text)}";
            if (!problem.TryGetProperty("detail", out var detail) || string.IsNullOrWhiteSpace(detail.GetString())) return $"the problem has no detail: {Shorten(text)}";
            return null;
        }
        catch (JsonException)
        {
            return $"problem JSON that is not JSON: {Shorten(text)}";
        }
    }

    static string? Envelope(int status, bool routingRefusal, string text, int length, string codeName, string messageName)
    {
        if (status != 200 && !(routingRefusal && status is 404 or 405)) return $"HTTP {status}, not 200 with the envelope: {Shorten(text)}";
        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(codeName, out var code) || code.ValueKind != JsonValueKind.Number)
                return $"no {codeName} in the answer: {Shorten(text)}";
            if (!body.TryGetProperty(messageName, out var message) || message.ValueKind != JsonValueKind.String) return $"no {messageName} in the answer: {Shorten(text)}";
            if (code.GetInt32() != 0)
            {
                if (string.IsNullOrWhiteSpace(message.GetString())) return $"a failure with no {messageName}: {Shorten(text)}";
                if (length > MaxErrorBody) return $"a {length}-byte failure (an echo of the input?)";
            }
            else if (status != 200) return $"HTTP {status} with a success envelope: {Shorten(text)}";
            return null;
        }
        catch (JsonException)
        {
            return $"not JSON: {Shorten(text)}";
        }
    }

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"... ({text.Length} characters)";
}
