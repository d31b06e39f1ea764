namespace GoChat.Grains.Chat;

/// <summary>The kinds of message, as the native API names them.</summary>
public static class MessageKinds
{
    public static readonly string[] All = ["text", "image", "audio", "video", "file", "system", "call"];

    public static short ToCode(string kind) => (short)(Array.IndexOf(All, kind) + 1);
    public static string FromCode(short code) => code >= 1 && code <= All.Length ? All[code - 1] : "text";
}

/// <summary>
/// One message of a conversation, as stored (recalled messages have no text or media). A message of
/// kind "call" carries its call's summary in <paramref name="Call"/>. A bot's reply is stored when
/// it starts, <see cref="MessageStatus.Streaming"/>, and finished once (<see cref="Notice"/> says
/// why a reply failed).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ChatMessage(
    long Id,
    string ConversationId,
    long Seq,
    long SenderId,
    string Kind,
    string Text,
    MediaRef? Media,
    long? ReplyToSeq,
    string ClientMsgId,
    DateTime SentAt,
    DateTime? EditedAt,
    bool Recalled,
    Calls.CallSummary? Call = null,
    MessageStatus Status = MessageStatus.Complete,
    string? Notice = null);

/// <summary>Where a message is in its life: complete, or a bot's reply still streaming, stopped or failed (stored codes).</summary>
public enum MessageStatus : short
{
    Complete = 0,
    Streaming = 1,
    Stopped = 2,
    Failed = 3,
}

/// <summary>The media a message carries, as much of it as a client needs to show it.</summary>
[GenerateSerializer, Immutable]
public sealed record MediaRef(long Id, string ContentType, long Size, string Name);

/// <summary>What a sender asks to send.</summary>
[GenerateSerializer, Immutable]
public sealed record SendMessage(string ClientMsgId, string Kind, string? Text, long? MediaId, long? ReplyToSeq);

/// <summary>A page request over a conversation's history: after a seq, before a seq, or the newest.</summary>
[GenerateSerializer, Immutable]
public sealed record HistoryQuery(long? AfterSeq, long? BeforeSeq, int Limit);

/// <summary>Conversation ids: "d:{lo}:{hi}" for two users, "g:{groupId}" for a group.</summary>
public static class ConversationIds
{
    public static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    public static string Group(long groupId) => $"g:{groupId}";

    /// <summary>Parses an id; false for anything that is not a well-formed, canonical id.</summary>
    public static bool TryParse(string? id, out (long Lo, long Hi)? direct, out long? groupId)
    {
        direct = null;
        groupId = null;
        if (string.IsNullOrEmpty(id) || id.Length > 48) return false;
        var parts = id.Split(':');
        if (parts is ["g", var g] && long.TryParse(g, out var gid) && gid > 0 && Group(gid) == id)
        {
            groupId = gid;
            return true;
        }
        if (parts is ["d", var a, var b] && long.TryParse(a, out var lo) && long.TryParse(b, out var hi) && lo > 0 && lo < hi && Direct(lo, hi) == id)
        {
            direct = (lo, hi);
            return true;
        }
        return false;
    }
}
