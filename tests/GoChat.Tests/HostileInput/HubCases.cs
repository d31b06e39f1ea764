using System.Reflection;
using static GoChat.Tests.HostileInput.HostileValues;

namespace GoChat.Tests.HostileInput;

/// <summary>One invocation of the hub corpus: a method (or a name that is none) and its arguments, as a JSON array written by hand.</summary>
/// <param name="BreaksProtocol">Not SignalR's protocol (arguments that are not an array, JSON nested past its depth limit): the server closes the connection, saying so.</param>
public sealed record HubCase(string Name, string Target, string Arguments, bool BreaksProtocol = false)
{
    public override string ToString() => Name;
}

/// <summary>
/// Generates the hub corpus from each method's parameters (<see cref="ApiSurface.HubMethods"/>): a
/// baseline call with one argument at a time made wrong (a value of the wrong type, a number no id
/// can be, text no field may hold; a field of an object argument, one level down), the wrong number
/// of arguments, and names that are no method. <see cref="Refused"/> must all be refused;
/// <see cref="Unusual"/> holds odd but possible text where a method stores text.
/// </summary>
public sealed class HubCases(CorpusScene scene)
{
    public IEnumerable<HubCase> Refused(HubMethod method, CorpusActor actor)
    {
        var baseline = method.Parameters.Select(p => Baseline(p.Name!, p.ParameterType, actor)).ToList();
        yield return new HubCase($"{method} [no arguments]", method.Name, "[]");
        yield return new HubCase($"{method} [one argument too many]", method.Name, Array([.. baseline, "1"]));
        yield return new HubCase($"{method} [arguments as an object]", method.Name, "{}", BreaksProtocol: true);
        for (var i = 0; i < method.Parameters.Count; i++)
        {
            var parameter = method.Parameters[i];
            foreach (var (label, json) in Values(parameter.ParameterType, unusualToo: true))
                yield return new HubCase($"{method} [{parameter.Name}: {label}]", method.Name, Array(Replace(baseline, i, json)), BreaksProtocol: label == "deep");
            if (!IsSimple(parameter.ParameterType))
                foreach (var property in Properties(parameter.ParameterType))
                    // (A field left null takes its default: text for a message's kind, no media, no reply. Not refused.)
                    foreach (var (label, json) in Values(property.PropertyType, unusualToo: !IsStoredText(property)).Where(v => v.Label != "null"))
                        yield return new HubCase($"{method} [{parameter.Name}.{property.Name}: {label}]", method.Name,
                            Array(Replace(baseline, i, WithProperty(parameter.ParameterType, Baseline(parameter.Name!, parameter.ParameterType, actor), property, json))),
                            BreaksProtocol: label == "deep");
        }
    }

    public IEnumerable<HubCase> Unusual(HubMethod method, CorpusActor actor)
    {
        for (var i = 0; i < method.Parameters.Count; i++)
            foreach (var property in Properties(method.Parameters[i].ParameterType))
                foreach (var value in IsStoredText(property) ? HostileValues.Unusual.Where(v => v.Text is not null) : [new HostileString("null", null, null, Legal: true)])
                {
                    // A baseline per case: each send has its own clientMsgId, or the second would be answered with the first.
                    var baseline = method.Parameters.Select(p => Baseline(p.Name!, p.ParameterType, actor)).ToList();
                    yield return new HubCase($"{method} [{method.Parameters[i].Name}.{property.Name}: {value.Label}]", method.Name,
                        Array(Replace(baseline, i, WithProperty(method.Parameters[i].ParameterType, baseline[i], property, value.Text is null ? "null" : value.Json))));
                }
    }

    /// <summary>Names that are no hub method: unknown, the hub's own lifetime methods, a member of the base class, not text.</summary>
    public static IEnumerable<HubCase> NotMethods() =>
        new[] { "NoSuchMethod", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "Clients", "", "a\ud800b", new string('m', 10_000) }
            .Select(name => new HubCase($"'{DialectAnswers.Shorten(name)}' [not a method]", name, "[]", BreaksProtocol: name.Any(char.IsSurrogate)));

    /// <summary>Text a send stores (a message's text, its client id): odd text there may be accepted, and stored.</summary>
    static bool IsStoredText(PropertyInfo property) => property.PropertyType == typeof(string) && property.Name is "Text" or "ClientMsgId";

    /// <summary>A fine value for each parameter: the actor's direct conversation, a text message, a call that is not there, ...</summary>
    string Baseline(string name, Type type, CorpusActor actor) => (name, Simple(type)) switch
    {
        ("conversationId", _) => HostileString.Escaped(actor.Direct),
        ("callId", _) => "\"00000000-0000-0000-0000-000000000001\"",
        ("media", _) => "\"audio\"",
        ("toUserId", _) => $"{scene.BobId}",
        ("request", _) => $"{{\"conversationId\":{HostileString.Escaped(actor.Direct)},\"clientMsgId\":\"h-{Guid.NewGuid():N}\",\"kind\":\"text\",\"text\":\"corpus\"}}",
        ("signal", _) => "{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}",
        (_, var t) when t == typeof(string) => "\"corpus\"",
        (_, var t) when t == typeof(long) || t == typeof(int) => "1",
        _ => "{}",
    };

    /// <summary>Wrong values for a parameter or property of <paramref name="type"/>.</summary>
    static IEnumerable<(string Label, string Json)> Values(Type type, bool unusualToo)
    {
        var simple = Simple(type);
        IEnumerable<(string, string)> values = simple == typeof(string)
            ? HostileValues.Refused.Where(v => v.Text is not null && v.Text != MultiMegabyte).Select(v => (v.Label, v.Json))
                .Concat(unusualToo ? HostileValues.Unusual.Where(v => v.Text is not null).Select(v => (v.Label, v.Json)) : [])
                .Concat(WrongTypes(ValueKind.Text))
            : simple == typeof(long) || simple == typeof(int)
                ? WrongTypes(ValueKind.Integer)
                : WrongTypes(ValueKind.Text).Where(v => v.Label != "object");
        return values.Append(("null", "null")).Append(("30 KB of text", $"\"{new string('a', 30_000)}\""));
    }

    static IEnumerable<PropertyInfo> Properties(Type type) =>
        IsSimple(type) ? [] : type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || p.GetMethod!.IsPublic);

    static Type Simple(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    static bool IsSimple(Type type) => Simple(type).IsPrimitive || Simple(type) == typeof(string) || Simple(type).IsEnum;

    /// <summary>The object <paramref name="baseline"/> (JSON of <paramref name="type"/>) with one property's value written as <paramref name="json"/>.</summary>
    static string WithProperty(Type type, string baseline, PropertyInfo property, string json)
    {
        var name = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
        var fields = new List<string> { $"\"{name}\":{json}" };
        // The baseline's other fields, as written (a flat scan is enough for the baselines above).
        using var parsed = System.Text.Json.JsonDocument.Parse(baseline);
        if (parsed.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object)
            fields.AddRange(parsed.RootElement.EnumerateObject().Where(p => p.Name != name).Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}"));
        return "{" + string.Join(",", fields) + "}";
    }

    static List<string> Replace(List<string> baseline, int index, string json)
    {
        var arguments = baseline.ToList();
        arguments[index] = json;
        return arguments;
    }

    static string Array(IEnumerable<string> arguments) => "[" + string.Join(",", arguments) + "]";
}
