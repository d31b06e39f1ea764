namespace GoChat.Grains.Chat;

/// <summary>
/// A bot's reply <paramref name="Seq"/> is streaming: <paramref name="Text"/> is everything it has
/// said so far (not a delta), so a client that joins mid-stream catches up with the next event
/// (wire: "messageStreaming"). Sent a few times a second at most; the final text comes once, as
/// <see cref="MessageUpdated"/>, and a client ignores streaming events for a message it holds finished.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MessageStreaming(string ConversationId, long Seq, long SenderId, string Text) : ChatEvent;

/// <summary>
/// A bot's reply finished (complete, stopped or failed) with its final text, once (wire:
/// "messageUpdated", as any change to a message). Its own record so listeners without streaming
/// (ginchat sockets) can deliver the reply whole, as a new message, at this moment.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplyFinished(ChatMessage Message) : ChatEvent;
