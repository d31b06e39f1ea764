using System.Reflection;
using GoChat.WebFront.Apis;
using static GoChat.Tests.HostileInput.HostileValues;

namespace GoChat.Tests.HostileInput;

/// <summary>
/// The frames of the ginchat sockets' corpus, generated from the frame's own type
/// (<see cref="GinchatMessage"/>, by reflection): a fine frame with one field at a time made wrong,
/// frames that are not JSON or not an object, and text past every limit but the socket's.
/// </summary>
public static class GinchatFrames
{
    public const string SendUserMsg = "/user/sendUserMsg";
    public const string SendMsg = "/user/sendMsg";

    /// <summary>A frame each socket takes: a private message to Bob; a broadcast (which only administrators may send).</summary>
    public static string Baseline(string socket, CorpusScene scene) => socket == SendUserMsg
        ? $"{{\"FromId\":{scene.Alice.Id},\"TargetId\":{scene.BobId},\"Type\":1,\"Media\":1,\"Content\":\"corpus\"}}"
        : "{\"Type\":3,\"Media\":1,\"Content\":\"corpus\"}";

    public static IEnumerable<(string Label, string Frame)> Wrong(string socket, CorpusScene scene)
    {
        var baseline = Baseline(socket, scene);
        foreach (var (label, bytes) in BrokenJson) yield return ($"frame: {label}", System.Text.Encoding.UTF8.GetString(bytes));
        yield return ("frame: 60 KB of text", $"{{\"Type\":1,\"TargetId\":{scene.BobId},\"Media\":1,\"Content\":\"{new string('a', 60_000)}\"}}");
        foreach (var property in typeof(GinchatMessage).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var values = type == typeof(string)
                ? HostileValues.Refused.Where(v => v.Text is not null && v.Text != MultiMegabyte).Select(v => (v.Label, v.Json)).Concat(WrongTypes(ValueKind.Text))
                : WrongTypes(ValueKind.Integer);
            foreach (var (label, json) in values)
                yield return ($"{property.Name}: {label}", With(baseline, property.Name, json));
        }
    }

    /// <summary>The frame with one field's value written as <paramref name="json"/>.</summary>
    static string With(string frame, string name, string json)
    {
        using var parsed = System.Text.Json.JsonDocument.Parse(frame);
        var fields = parsed.RootElement.EnumerateObject().Where(p => p.Name != name).Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}");
        return "{" + string.Join(",", fields.Append($"\"{name}\":{json}")) + "}";
    }
}
