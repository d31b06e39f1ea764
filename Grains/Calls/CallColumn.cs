using System.Text.Json;

namespace GoChat.Grains.Calls;

/// <summary>The messages table's "call" column (jsonb): a call message's <see cref="CallSummary"/>, camelCase.</summary>
internal static class CallColumn
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string? Write(CallSummary? call) => call is null ? null : JsonSerializer.Serialize(call, Json);

    public static CallSummary? Read(string? json) => json is null ? null : JsonSerializer.Deserialize<CallSummary>(json, Json);
}
