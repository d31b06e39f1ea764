using GoChat.Grains.Chat;

namespace GoChat.Grains.Bots;

/// <summary>
/// A bot's replies in one conversation, one at a time. Key: "{botUserId}:{conversationId}"
/// (<see cref="BotReplyKeys"/>). Replies are generated here, outside any conversation grain turn.
/// </summary>
public interface IBotReplyGrain : IGrainWithStringKey
{
    /// <summary>Message <paramref name="seq"/> of <paramref name="askerId"/> asks the bot something. One-way: the send that triggered it does not wait.</summary>
    [Orleans.Concurrency.OneWay]
    Task Ask(long askerId, long seq);

    /// <summary>Stops reply <paramref name="seq"/> while it streams: allowed to the person who asked and to the group's owner and admins.</summary>
    Task<DomainError?> Stop(long callerId, long seq);
}

/// <summary>A bot's limits across all its conversations: questions per person per minute and tokens per day. Key: the bot's user id.</summary>
public interface IBotQuotaGrain : IGrainWithIntegerKey
{
    /// <summary>Counts a question of <paramref name="userId"/>; the words to answer with when it is over a limit, else null.</summary>
    Task<string?> Admit(long userId);

    /// <summary>Tokens a reply used (recorded per UTC day).</summary>
    Task Record(long promptTokens, long completionTokens);
}

/// <summary>The writes of a bot's reply into its conversation (implemented by the conversation grain).</summary>
public interface IConversationReplies : IGrainWithStringKey
{
    /// <summary>
    /// Stores an empty reply of <paramref name="botId"/> to message <paramref name="replyToSeq"/>,
    /// streaming, with the next seq, and announces it as any new message: it holds its place in the
    /// conversation from the start.
    /// </summary>
    Task<Result<ChatMessage>> StartReply(long botId, long replyToSeq);

    /// <summary>Writes a streaming reply's final text and status once and announces it (messageUpdated). Null when it was already finished.</summary>
    Task<ChatMessage?> FinishReply(long botId, long seq, string text, MessageStatus status, string? notice);
}

public static class BotReplyKeys
{
    public static string For(long botId, string conversationId) => $"{botId}:{conversationId}";

    public static (long BotId, string ConversationId) Parse(string key)
    {
        var colon = key.IndexOf(':');
        return (long.Parse(key.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture), key[(colon + 1)..]);
    }
}
