using System.Text;

namespace GoChat.Tests.HostileInput;

public sealed partial class CorpusCases
{
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
