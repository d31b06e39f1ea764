using System.Text.Json.Serialization;
using GoChat.Grains.Chat;
using GoChat.WebFront.Calls;

namespace GoChat.WebFront.Apis;

/// <summary>
/// A message as the native API and the hub show it. <c>Status</c> is null for a complete message, else
/// "streaming", "stopped" or "failed" (a bot's reply; <c>Notice</c> says why it failed).
/// </summary>
public sealed record MessageDto(
    long Id, string ConversationId, long Seq, long SenderId, string Kind, string Text, MediaDto? Media, long? ReplyToSeq,
    string ClientMsgId, DateTime SentAt, DateTime? EditedAt, bool Recalled,
    // Absent unless the message is a call's: every other message, sent to every member, is smaller without it.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MessageCallDto? Call = null,
    string? Status = null, string? Notice = null)
{
    public static MessageDto From(ChatMessage m) => new(
        m.Id, m.ConversationId, m.Seq, m.SenderId, m.Kind, m.Text,
        m.Media is { } media ? new MediaDto(media.Id, NativeApiMedia.ContentPath(media.Id), media.ContentType, media.Size, media.Name) : null,
        m.ReplyToSeq, m.ClientMsgId, m.SentAt, m.EditedAt, m.Recalled, MessageCallDto.From(m.Call),
        m.Status == MessageStatus.Complete ? null : m.Status.ToString().ToLowerInvariant(), m.Notice);
}

/// <summary>
/// A conversation in a user's list; <c>PeerReadSeq</c> (direct conversations) is how far the other user has read;
/// <c>Call</c> is the call ringing or running in it, if any.
/// </summary>
public sealed record ConversationDto(
    string Id, string Kind, string Title, UserDto? Peer, long? GroupId, MessageDto? LastMessage, long LastSeq, long ReadSeq, long Unread,
    long? PeerReadSeq = null, CallDto? Call = null);

/// <remarks>Public: the hub's MessagePack protocol builds its (de)serializers only for public types.</remarks>
public sealed record SendMessageRequest(string? ConversationId, string? ClientMsgId, string? Kind, string? Text, long? MediaId, long? ReplyToSeq)
{
    public SendMessage ToDomain() => new(ClientMsgId ?? "", Kind ?? "text", Text, MediaId, ReplyToSeq);
}

public sealed record ReadEventDto(string ConversationId, long UserId, long Seq);

public sealed record TypingEventDto(string ConversationId, long UserId);

/// <summary>Live events may have been missed (a delivery route was rebuilt): Sync and fetch gaps. ConversationId: the one concerned, or null for all.</summary>
public sealed record ResyncEventDto(string? ConversationId);

public sealed record PresenceEventDto(long UserId, bool Online);
