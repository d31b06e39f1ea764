using System.Net.Http.Headers;
using System.Text;
using GoChat.Tests.Media;
using static GoChat.Tests.HostileInput.HostileValues;

namespace GoChat.Tests.HostileInput;

/// <summary>One request of the corpus: what it is (route and what is odd), its dialect, and how to build it with the sender's current token.</summary>
/// <param name="TransportRefusal">Too large for HTTP itself (Kestrel answers before the app): an empty 4xx is a right answer.</param>
/// <param name="RoutingRefusal">No route takes it (a path or method that is not there): the legacy dialects answer with the HTTP status.</param>
public sealed record CorpusCase(string Name, Dialect Dialect, string Method, Func<string, HttpRequestMessage> Build, bool TransportRefusal = false,
    bool RoutingRefusal = false)
{
    public override string ToString() => Name;
}

/// <summary>
/// Generates the corpus's requests for a route from its description (<see cref="ApiSurface"/>):
/// a baseline request that would be fine, with one thing at a time made wrong. <see cref="Refused"/>
/// makes input no route may accept (Alice sends it: nothing may change); <see cref="Unusual"/> input
/// that is odd but may be fine (Carol sends it, and her things may change). Every input a case
/// makes wrong is one the route reads (the legacy routes say which choice reads a field, x-used-when).
/// </summary>
public sealed class CorpusCases(CorpusScene scene)
{
    static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    /// <summary>Long, yet every parameter of a route this long still fits Kestrel's 8 KiB request line.</summary>
    static readonly string Long = new('7', 2500);
    /// <summary>Past Kestrel's 8 KiB request line, within what .NET's Uri can hold.</summary>
    static readonly string PastTheRequestLine = new('a', 60_000);

    /// <summary>Token-shaped values that are not tokens: garbage, an unsigned JWT (alg none), a huge one.</summary>
    static readonly (string Label, string? Token)[] BadTokens =
    [
        ("no token", null), ("garbage token", "garbage"),
        ("alg none token", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwidmVyIjowfQ."),
        ("5,000-character token", new string('x', 5000)),
    ];

    // ---- the input no route may accept -----------------------------------------------------------

    public IEnumerable<CorpusCase> Refused(HttpRoute route) =>
        route.Dialect is Dialect.Native or Dialect.Bytes ? NativeRefused(route, scene.Alice) : LegacyRefused(route, scene.Alice);

    public IEnumerable<CorpusCase> Unusual(HttpRoute route, CorpusActor actor) =>
        route.Dialect is Dialect.Native or Dialect.Bytes ? NativeUnusual(route, actor) : LegacyUnusual(route, actor);

    /// <summary>Each route's path with every method it does not take.</summary>
    public IEnumerable<CorpusCase> WrongMethods(IEnumerable<HttpRoute> routes)
    {
        foreach (var path in routes.GroupBy(r => r.Path))
        {
            var route = path.First();
            var taken = path.Select(r => r.Method).ToHashSet();
            var url = Fill(route, scene.Alice, null, null);
            foreach (var method in Methods.Where(m => !taken.Contains(m)))
                yield return new CorpusCase($"{method} {route.Path} [method not taken]", route.Dialect, method, token =>
                {
                    var request = new HttpRequestMessage(new HttpMethod(method), route.Dialect is Dialect.Native ? url : $"{url}?token={token}");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    return request;
                }, RoutingRefusal: true);
        }
    }

    IEnumerable<CorpusCase> NativeRefused(HttpRoute route, CorpusActor actor)
    {
        var body = NativeBody(route, actor);
        if (route.Authenticated)
            foreach (var (label, token) in BadTokens)
                yield return Native(route, label, actor, body: body, bearer: token);

        foreach (var parameter in route.PathParameters)
            foreach (var (label, value) in PathValues())
                // Kestrel refuses a NUL in the path before the app sees it.
                yield return Native(route, $"{parameter.Name}: {label}", actor, pathValue: (parameter.Name, value), body: body, transport: value.Contains("%00"));

        foreach (var parameter in route.Query)
        {
            foreach (var (label, value) in UrlValues(parameter, unusualToo: route.Method == "GET", inUrl: true))
                yield return Native(route, $"{parameter.Name}: {label}", actor, query: [(parameter.Name, value)], body: body);
            yield return Native(route, $"{parameter.Name}: 2,500 characters", actor, query: [(parameter.Name, Long)], body: body);
        }

        yield return Native(route, "request line past the limit", actor, query: [(route.Query.FirstOrDefault()?.Name ?? "pad", PastTheRequestLine)], body: body,
            transport: true);
        yield return Native(route, "unknown route beneath", actor, suffix: "/nope", body: body) with { RoutingRefusal = true };

        if (route.BodyType == "application/json")
        {
            foreach (var (label, bytes) in BrokenJson) yield return Native(route, $"body: {label}", actor, body: bytes);
            yield return Native(route, "body: {}", actor, body: "{}"u8.ToArray());
            yield return Native(route, "body: an unknown field nested too deep", actor,
                body: Json(NativeFields(route, actor).Append(("zz", new string('[', 200) + new string(']', 200)))));
            foreach (var field in route.Body)
            {
                foreach (var (label, json) in WrongTypes(field.Kind))
                    yield return Native(route, $"{field.Name}: {label}", actor, body: Json(NativeFields(route, actor, (field.Name, json))));
                if (field.Kind != ValueKind.Text) continue;
                foreach (var value in HostileValues.Refused.Where(v => v.Text is not null))
                    yield return Native(route, $"{field.Name}: {value.Label}", actor, body: Json(NativeFields(route, actor, (field.Name, value.Json))));
                // Alone too: a route may read a field only when another is absent ({userId} or {username}).
                foreach (var value in HostileValues.Refused.Where(v => v.Label is "NUL" or "3 MB"))
                    yield return Native(route, $"{field.Name} alone: {value.Label}", actor, body: Json([(field.Name, value.Json)]));
            }
            foreach (var contentType in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=x-bogus", "garbage", "" })
                yield return Native(route, $"content type '{contentType}'", actor, body: body, contentType: contentType);
        }
        else if (route.BodyType == "multipart/form-data")
            foreach (var (label, bytes, contentType) in BrokenUploads())
                yield return Native(route, $"upload: {label}", actor, body: bytes, contentType: contentType);
    }

    IEnumerable<CorpusCase> NativeUnusual(HttpRoute route, CorpusActor actor)
    {
        if (route.BodyType == "application/json")
        {
            foreach (var field in route.Body.Where(f => f.Kind == ValueKind.Text))
                foreach (var value in HostileValues.Unusual.Where(v => v.Text is not null))
                    yield return Native(route, $"{field.Name}: {value.Label}", actor, body: Json(NativeFields(route, actor, (field.Name, value.Json))));
            yield return Native(route, "body: unknown fields", actor,
                body: Json(NativeFields(route, actor).Concat([("zz", "1"), ("__proto__", "{\"admin\":true}"), ("isAdmin", "true"), ("id", "1")])));
            yield return Native(route, "body: an unknown 3 MB field", actor, body: Json(NativeFields(route, actor).Append(("zz", $"\"{MultiMegabyte}\""))));
            foreach (var field in route.Body)
                yield return Native(route, $"body: without {field.Name}", actor, body: Json(NativeFields(route, actor).Where(f => f.Name != field.Name)));
        }
        else if (route.BodyType == "multipart/form-data")
            foreach (var name in FileNames)
                yield return Native(route, $"upload named '{DialectAnswers.Shorten(name)}'", actor, body: Multipart([("file", name, "image/png", MediaTests.TinyPng())], out var type), contentType: type);
    }

    IEnumerable<CorpusCase> LegacyRefused(HttpRoute route, CorpusActor actor)
    {
        var fields = route.Query.Concat(route.Body).DistinctBy(f => f.Name).ToList();
        if (route.Authenticated)
            foreach (var (label, token) in BadTokens)
                yield return Legacy(route, label, actor, ("token", token is null ? null : Uri.EscapeDataString(token)));

        foreach (var field in fields.Where(f => f.Kind != ValueKind.File))
            foreach (var (label, value) in UrlValues(field, unusualToo: route.Method == "GET" || field.Kind != ValueKind.Text, inUrl: route.Method == "GET"))
                yield return Legacy(route, $"{field.Name}: {label}", actor, (field.Name, value));

        if (route.Method != "GET")
        {
            // The same values in the query string: the routes read both.
            foreach (var field in fields.Where(f => f.Kind is not (ValueKind.File or ValueKind.Token)))
                foreach (var value in HostileValues.Refused.Where(v => v.Label is "NUL" or "escape"))
                    yield return Legacy(route, $"{field.Name} in the query: {value.Label}", actor, (field.Name, value.Url), inQuery: true);
            foreach (var (label, contentType, bytes) in BrokenForms(route, actor))
                yield return Legacy(route, $"form: {label}", actor, null, raw: (contentType, bytes));
        }
        else
            yield return Legacy(route, "every parameter 2,500 characters", actor, null, allLong: true);

        yield return Legacy(route, "request line past the limit", actor, ("token", PastTheRequestLine), inQuery: true, transport: true);
        yield return Legacy(route, "unknown route beneath", actor, null, suffix: "/nope") with { RoutingRefusal = true };
    }

    IEnumerable<CorpusCase> LegacyUnusual(HttpRoute route, CorpusActor actor)
    {
        var fields = route.Query.Concat(route.Body).DistinctBy(f => f.Name).ToList();
        if (route.Method != "GET")
            foreach (var field in fields.Where(f => f.Kind == ValueKind.Text))
                foreach (var value in HostileValues.Unusual.Where(v => v.Url is not null))
                    yield return Legacy(route, $"{field.Name}: {value.Label}", actor, (field.Name, value.Url));
        yield return Legacy(route, "an unknown parameter", actor, ("zz", "1"));
        if (route.Method != "GET" && route.Body.Count == 0)
            // Read as UTF-8, the only charset forms are sent in.
            yield return Legacy(route, "form: charset x-bogus", actor, null, formType: "application/x-www-form-urlencoded; charset=x-bogus");
        foreach (var field in fields.Where(f => f.Kind != ValueKind.File))
            yield return Legacy(route, $"without {field.Name}", actor, (field.Name, null));
    }

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

    // ---- requests ----------------------------------------------------------------------------------

    CorpusCase Native(HttpRoute route, string label, CorpusActor actor, (string Name, string Value)? pathValue = null,
        IReadOnlyList<(string Name, string Value)>? query = null, byte[]? body = null, string? contentType = "application/json",
        string? bearer = "", bool transport = false, string suffix = "")
    {
        var url = Fill(route, actor, pathValue, query);
        if (suffix.Length > 0) url = url.Split('?')[0] + suffix;
        if (route.BodyType is null) body = null;
        if (route.BodyType == "multipart/form-data" && contentType == "application/json") contentType = "multipart/form-data";
        return new CorpusCase($"{route} [{label}]", route.Dialect, route.Method, token =>
        {
            var request = new HttpRequestMessage(new HttpMethod(route.Method), url);
            var sent = bearer == "" ? token : bearer;
            if (sent is not null) request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {sent}");
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                if (contentType is { Length: > 0 }) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            return request;
        }, transport);
    }

    /// <summary>A legacy request: the baseline with <paramref name="change"/> made (a null value leaves the field out), as a query (GET) or a form (else).</summary>
    CorpusCase Legacy(HttpRoute route, string label, CorpusActor actor, (string Name, string? Value)? change, bool inQuery = false,
        (string ContentType, byte[] Bytes)? raw = null, bool allLong = false, bool transport = false, string suffix = "",
        string formType = "application/x-www-form-urlencoded")
    {
        var fields = LegacyFields(route, actor, change);
        if (allLong)
            fields = route.Query.Concat(route.Body).DistinctBy(f => f.Name).Where(f => f.UsedWhen is null)
                .Select(f => (f.Name, f.Kind == ValueKind.Token ? "{token}" : (string?)Long)).ToList();
        var multipart = route.Body.Any(f => f.Kind == ValueKind.File);
        var path = Fill(route, actor, null, null) + suffix;
        return new CorpusCase($"{route} [{label}]", route.Dialect, route.Method, token =>
        {
            var form = FormText(fields, token);
            if (route.Method == "GET" || inQuery) return new HttpRequestMessage(new HttpMethod(route.Method), $"{path}?{form}");
            var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
            if (raw is { } r)
            {
                request.Content = new ByteArrayContent(r.Bytes);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
            }
            else if (multipart)
            {
                var parts = fields.Select(f => f.Name == "data"
                    ? (f.Name, (string?)"clip.mp4", (string?)"video/mp4", f.Value is null ? null : DouyinApi.DouyinVideoTests.SampleVideo.Value)
                    : (f.Name, null, null, f.Value is null ? null : PercentDecoded(f.Value == "{token}" ? token : f.Value)));
                request.Content = new ByteArrayContent(Multipart(parts.Where(p => p.Item4 is not null).Select(p => (p.Item1, p.Item2, p.Item3, p.Item4!)), out var type));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            else
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(form));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", formType);
            }
            return request;
        }, transport);
    }

    /// <summary>
    /// The baseline's fields: every field the route reads for its first choice (or for the choice
    /// the changed field belongs to), the token as "{token}" (filled in when sent).
    /// </summary>
    List<(string Name, string? Value)> LegacyFields(HttpRoute route, CorpusActor actor, (string Name, string? Value)? change)
    {
        var fields = route.Query.Concat(route.Body).DistinctBy(f => f.Name).ToList();
        var choices = fields.Where(f => f.Kind == ValueKind.Choice).ToDictionary(f => f.Name, f => f.Choices[0]);
        if (change is { } c && fields.FirstOrDefault(f => f.Name == c.Name)?.UsedWhen is { } changed) choices[changed.Choice] = changed.Value;
        var result = new List<(string Name, string? Value)>();
        foreach (var field in fields)
        {
            if (field.UsedWhen is { } used && choices.GetValueOrDefault(used.Choice) != used.Value) continue;
            var fine = field.Kind switch
            {
                ValueKind.Token => "{token}",
                ValueKind.Choice => choices[field.Name],
                ValueKind.File => "file",
                _ => Valid(route, field, actor) is { } v ? Uri.EscapeDataString(v) : null,
            };
            result.Add((field.Name, change is { } ch && ch.Name == field.Name ? ch.Value : fine));
        }
        if (change is { } extra && result.All(f => f.Name != extra.Name)) result.Add(extra);
        return result.Where(f => f.Value is not null).ToList();
    }

    static string FormText(IEnumerable<(string Name, string? Value)> fields, string token) =>
        string.Join("&", fields.Where(f => f.Value is not null && f.Name != "data").Select(f => $"{Uri.EscapeDataString(f.Name)}={(f.Value == "{token}" ? token : f.Value)}"));

    /// <summary>The route's path with its parameters filled (the scene's ids, or <paramref name="pathValue"/>), and a query string.</summary>
    string Fill(HttpRoute route, CorpusActor actor, (string Name, string Value)? pathValue, IReadOnlyList<(string Name, string Value)>? query)
    {
        var path = route.Path;
        foreach (var parameter in route.PathParameters)
        {
            var value = pathValue is { } p && p.Name == parameter.Name ? p.Value : (parameter.Name, route.Path) switch
            {
                ("seq", _) => "1",
                ("id", var r) when r.StartsWith("/api/v1/conversations/", StringComparison.Ordinal) => Uri.EscapeDataString(actor.Direct),
                ("id", var r) when r.StartsWith("/api/v1/groups/", StringComparison.Ordinal) => $"{actor.GroupId}",
                ("id", var r) when r.StartsWith("/api/v1/media/", StringComparison.Ordinal) => $"{actor.MediaId}",
                ("id", var r) when r.StartsWith("/douyin/videos/", StringComparison.Ordinal) => $"{scene.VideoId}",
                _ => $"{scene.BobId}",
            };
            path = path.Replace("{" + parameter.Name + "}", value);
        }
        return query is { Count: > 0 } ? $"{path}?{string.Join("&", query.Select(q => $"{q.Name}={q.Value}"))}" : path;
    }

    /// <summary>The bytes a percent-encoded value stands for (invalid UTF-8 included).</summary>
    static byte[] PercentDecoded(string value)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
        }
        return [.. bytes];
    }

    /// <summary>A multipart/form-data body of (field, file name, content type, bytes) parts.</summary>
    public static byte[] Multipart(IEnumerable<(string Name, string? FileName, string? ContentType, byte[] Bytes)> parts, out string contentType)
    {
        const string boundary = "corpus-boundary";
        contentType = $"multipart/form-data; boundary={boundary}";
        using var body = new MemoryStream();
        foreach (var (name, fileName, type, bytes) in parts)
        {
            var header = $"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"" +
                (fileName is null ? "" : $"; filename=\"{fileName.Replace("\"", "%22")}\"") + "\r\n" +
                (type is null ? "" : $"Content-Type: {type}\r\n") + "\r\n";
            body.Write(Encoding.UTF8.GetBytes(header));
            body.Write(bytes);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.UTF8.GetBytes($"--{boundary}--\r\n"));
        return body.ToArray();
    }
}
