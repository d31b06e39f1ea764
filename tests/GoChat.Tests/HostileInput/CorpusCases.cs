using System.Net.Http.Headers;
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
public sealed partial class CorpusCases(CorpusScene scene)
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
}
