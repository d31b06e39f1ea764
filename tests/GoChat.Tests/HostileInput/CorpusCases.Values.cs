using System.Text;
using GoChat.Tests.Media;
using static GoChat.Tests.HostileInput.HostileValues;

namespace GoChat.Tests.HostileInput;

public sealed partial class CorpusCases
{
    // ---- values ------------------------------------------------------------------------------------

    static IEnumerable<(string Label, string Value)> PathValues() =>
        Numbers.Select(n => ($"number {n}", Uri.EscapeDataString(n)))
            .Concat(HostileValues.Refused.Where(v => v.Url is not null && v.Text != MultiMegabyte).Select(v => (v.Label, v.Url!)))
            .Concat(HostileValues.Unusual.Where(v => v.Url is { Length: > 0 }).Select(v => (v.Label, v.Url!)))
            .Concat([("encoded slash", "a%2Fb"), ("encoded dots", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"), ("conversation of nobody", "d%3A-1%3A9223372036854775807"), ("group -1", "g%3A-1")]);

    /// <summary>Values for a query-string or form field of its kind; free text only what must be refused, unless <paramref name="unusualToo"/>.</summary>
    static IEnumerable<(string Label, string Value)> UrlValues(Field field, bool unusualToo, bool inUrl)
    {
        // Megabytes cannot travel in a URL (Kestrel's request line limit is 8 KiB: see "request line past the limit").
        var refused = HostileValues.Refused.Where(v => v.Url is not null && (!inUrl || v.Text != MultiMegabyte)).Select(v => (v.Label, v.Url!));
        var unusual = HostileValues.Unusual.Where(v => v.Url is not null).Select(v => (v.Label, v.Url!));
        return field.Kind switch
        {
            ValueKind.Integer => Numbers.Select(n => ($"number {n}", Uri.EscapeDataString(n))).Concat(refused).Concat(unusual),
            ValueKind.Choice => new[] { "0", "3", "-1", "1e400", "9223372036854775808", " 1", "1 " }.Select(c => ($"choice '{c}'", Uri.EscapeDataString(c)))
                .Concat(refused).Concat(unusual),
            ValueKind.Token => refused, // and BadTokens, for every route that reads a token
            _ => unusualToo ? refused.Concat(unusual) : refused,
        };
    }

    /// <summary>A value each field of a route's baseline request takes; null leaves the field out.</summary>
    string? Valid(HttpRoute route, Field field, CorpusActor actor) => (field.Name, route.Path) switch
    {
        ("token", _) => null, // added by the sender, with its current token
        ("user_id", "/douyin/relation/friend/list") => $"{actor.Id}",
        ("user_id" or "to_user_id", _) => $"{scene.BobId}",
        ("video_id", _) => $"{scene.VideoId}",
        ("comment_id", _) => $"{actor.CommentId}",
        ("id" or "userId", _) => $"{actor.Id}",
        // Signing up as an existing user is refused after the input is checked, so a fine baseline changes nothing.
        ("username" or "name", "/douyin/user/register" or "/douyin/user/login" or "/user/createUser" or "/user/findUserByNameAndPwd") => "dave",
        ("password" or "Identity" or "repassword", "/douyin/user/register" or "/douyin/user/login" or "/user/createUser" or "/user/findUserByNameAndPwd") => CorpusScene.Password,
        ("targetName", _) => "bob",
        ("comment_text" or "content" or "title", _) => "corpus",
        (_, _) when field.Kind == ValueKind.Choice => field.Choices[0],
        _ => null,
    };

    /// <summary>The JSON fields of a native route's baseline body, with <paramref name="replaced"/> put in.</summary>
    IEnumerable<(string Name, string Json)> NativeFields(HttpRoute route, CorpusActor actor, (string Name, string Json)? replaced = null)
    {
        foreach (var field in route.Body)
        {
            if (replaced is { } r && r.Name == field.Name) { yield return r; continue; }
            string? json = (field.Name, route.Path) switch
            {
                ("username", "/api/v1/auth/register" or "/api/v1/auth/login") => "\"dave\"",
                ("password", "/api/v1/auth/register" or "/api/v1/auth/login") => $"\"{CorpusScene.Password}\"",
                ("userId", _) => $"{scene.BobId}",
                ("clientMsgId", _) => $"\"c-{Guid.NewGuid():N}\"",
                ("kind", _) => "\"text\"",
                ("text", _) => "\"corpus\"",
                ("seq", _) => "1",
                ("name", _) => "\"corpus group\"",
                ("userIds", _) => $"[{scene.DaveId}]",
                _ => null,
            };
            if (json is not null) yield return (field.Name, json);
        }
    }

    byte[] NativeBody(HttpRoute route, CorpusActor actor) => route.BodyType == "application/json" ? Json(NativeFields(route, actor)) : [];

    static byte[] Json(IEnumerable<(string Name, string Json)> fields) =>
        Encoding.UTF8.GetBytes("{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{f.Json}")) + "}");

    /// <summary>Multipart bodies an upload route must refuse: broken framing, no file, a file that is not what it says.</summary>
    static IEnumerable<(string Label, byte[] Bytes, string ContentType)> BrokenUploads()
    {
        var png = MediaTests.TinyPng();
        var whole = Multipart([("file", "a.png", "image/png", png)], out var type);
        yield return ("cut short", whole[..(whole.Length / 2)], type);
        yield return ("cut inside the part's headers", whole[..40], type);
        yield return ("no closing boundary", whole[..(whole.Length - 10)], type);
        yield return ("no boundary", whole, "multipart/form-data");
        yield return ("an 80-character boundary", whole, $"multipart/form-data; boundary={new string('b', 80)}");
        yield return ("another boundary", whole, "multipart/form-data; boundary=other");
        yield return ("empty", [], type);
        yield return ("not multipart", "hello"u8.ToArray(), type);
        yield return ("sent as JSON", "{\"file\":\"x\"}"u8.ToArray(), "application/json");
        yield return ("sent as a form", "file=x"u8.ToArray(), "application/x-www-form-urlencoded");
        yield return ("no field named file", Multipart([("data", "a.png", "image/png", png)], out type), type);
        yield return ("an empty file", Multipart([("file", "a.png", "image/png", [])], out type), type);
        yield return ("a PNG that is not one", Multipart([("file", "a.png", "image/png", "not a png at all"u8.ToArray())], out type), type);
        yield return ("an SVG as an image", Multipart([("file", "a.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray())], out type), type);
        yield return ("a 100 KB header", Encoding.UTF8.GetBytes($"--corpus\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{new string('x', 100_000)}\"\r\n\r\n")
            .Concat(png).Concat("\r\n--corpus--\r\n"u8.ToArray()).ToArray(), "multipart/form-data; boundary=corpus");
    }

    /// <summary>Form bodies a legacy route cannot read: a NUL, too many fields, a field past the size limit, a strange charset, not a form.</summary>
    IEnumerable<(string Label, string ContentType, byte[] Bytes)> BrokenForms(HttpRoute route, CorpusActor actor)
    {
        const string form = "application/x-www-form-urlencoded";
        var fine = FormText(LegacyFields(route, actor, null), actor.Token);
        yield return ("a NUL in a name", form, Encoding.UTF8.GetBytes($"to%00ken=x&{fine}"));
        yield return ("2,000 fields", form, Encoding.UTF8.GetBytes(string.Join("&", Enumerable.Range(0, 2000).Select(i => $"f{i}=1")) + "&" + fine));
        yield return ("a 5 MB field", form, Encoding.UTF8.GetBytes($"zz={new string('a', 5 * 1024 * 1024)}&{fine}"));
        yield return ("sent as JSON", "application/json", Encoding.UTF8.GetBytes("{\"token\":\"" + actor.Token + "\"}"));
        yield return ("sent as text", "text/plain", Encoding.UTF8.GetBytes(fine));
        var multipart = Multipart(LegacyFields(route, actor, null).Select(f => (f.Name, (string?)null, (string?)null, PercentDecoded(f.Value == "{token}" ? actor.Token : f.Value ?? ""))), out var type);
        yield return ("multipart cut short", type, multipart[..(multipart.Length / 2)]);
        yield return ("multipart without a boundary", "multipart/form-data", multipart);
    }
}
