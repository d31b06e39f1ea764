namespace GoChat.Grains.Chat;

/// <summary>One conversation. Key: "d:{lo}:{hi}" or "g:{groupId}".</summary>
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Appends a message; returns once it is committed. A retried clientMsgId returns the original.</summary>
    Task<Result<ChatMessage>> Send(long senderId, SendMessage message);

    Task<Result<IReadOnlyList<ChatMessage>>> GetHistory(long callerId, HistoryQuery query);

    Task<DomainError?> MarkRead(long userId, long seq);

    /// <summary>Makes sure the conversation exists for its members (direct conversations on first use).</summary>
    Task<DomainError?> Open(long callerId);

    /// <summary>Whether a user may read and write here.</summary>
    Task<bool> IsMember(long userId);

    /// <summary>The sender changes a message's text within the edit window.</summary>
    Task<Result<ChatMessage>> Edit(long callerId, long seq, string text);

    /// <summary>The sender recalls a message within the recall window: its text and media are gone for everyone.</summary>
    Task<DomainError?> Recall(long callerId, long seq);

    /// <summary>Relays "user is typing" to the other members.</summary>
    Task<DomainError?> Typing(long userId);

    /// <summary>
    /// A member of this direct conversation deleted their account: the other keeps reading the
    /// history, and nobody can write to them any more.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    Task MemberClosed(long userId);
}
