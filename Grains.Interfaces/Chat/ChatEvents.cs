namespace GoChat.Grains.Chat;

/// <summary>
/// What a delivery route carries to its subscribers: a closed set of immutable records, one per
/// kind of event. A new kind (call signalling, a streamed bot reply) is one more record here and
/// one more case where a subscriber dispatches it; the others do not change. How each kind
/// reaches SignalR clients is decided in one place, WebFront/Realtime/HubDispatch.cs, and the
/// client-side wire names in one interface, WebFront/Realtime/IChatClient.cs.
/// </summary>
[GenerateSerializer, Immutable]
public abstract record ChatEvent;

/// <summary>A message was committed (wire: "message").</summary>
[GenerateSerializer, Immutable]
public sealed record MessageSent(ChatMessage Message) : ChatEvent;

/// <summary>A message was edited or recalled (wire: "messageUpdated").</summary>
[GenerateSerializer, Immutable]
public sealed record MessageUpdated(ChatMessage Message) : ChatEvent;

/// <summary><paramref name="UserId"/> has read up to <paramref name="Seq"/> (wire: "read"; direct conversations, to the other participant).</summary>
[GenerateSerializer, Immutable]
public sealed record MessagesRead(string ConversationId, long UserId, long Seq) : ChatEvent;

/// <summary><paramref name="UserId"/> is typing (wire: "typing"; not sent back to the typist).</summary>
[GenerateSerializer, Immutable]
public sealed record UserTyping(string ConversationId, long UserId) : ChatEvent;

/// <summary>A friend came online or went offline (wire: "presence").</summary>
[GenerateSerializer, Immutable]
public sealed record PresenceChanged(long UserId, bool Online) : ChatEvent;

/// <summary>
/// On the user's own route: the user joined or left a group, so the WebFronts holding the user's
/// connections start or stop delivering the group's route to them (the client hears
/// "conversationUpdated" on a join).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MembershipChanged(long UserId, long GroupId, bool Joined) : ChatEvent
{
    public string ConversationId => ConversationIds.Group(GroupId);
}

/// <summary>
/// On the user's own route: tokens older than <paramref name="TokenVersion"/> were revoked (logout,
/// new password, a disabled or closed account); or, with <paramref name="SessionId"/>, every token
/// of that one session (the user ended it). Connections opened with such a token close.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TokensRevoked(long UserId, int TokenVersion, Guid? SessionId = null) : ChatEvent;

/// <summary>A ginchat broadcast (/user/sendMsg), on the broadcast route.</summary>
[GenerateSerializer, Immutable]
public sealed record Broadcast(long SenderId, ChatMessage Message) : ChatEvent;

/// <summary>
/// Live events of a route may have been lost (the route grain had forgotten this WebFront): made by
/// the WebFront itself for the route's connections and listeners, never published (wire: "resync").
/// <paramref name="ConversationId"/> is the group's conversation on a group route, null on a user route (all of them).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Resync(string? ConversationId) : ChatEvent;
