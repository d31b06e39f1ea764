using GoChat.Grains.Bots;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Grains.Chat;

/// <summary>
/// Bots' replies in a conversation. A reply takes its seq when it starts and is stored then,
/// streaming and empty, through the same commit path as any message, so it holds its place and
/// history, gap fill and clients' watermarks see it like any other; its text is written once, when
/// it finishes. The text in between travels only as live events from the bot's grain.
/// </summary>
public sealed partial class ConversationGrain : IConversationReplies
{
    BotTriggers? _bots;

    public async Task<Result<ChatMessage>> StartReply(long botId, long replyToSeq)
    {
        if (!await IsMember(botId)) return NotAllowed();
        if (replyToSeq < 1 || replyToSeq > _lastSeq) return DomainError.Invalid($"replyToSeq {replyToSeq} is not a message of this conversation");
        // One reply per question: asked twice (a repeated trigger), the bot gets its first reply back.
        var clientMsgId = $"reply-to-{replyToSeq}";
        if (_recent.TryGetValue((botId, clientMsgId), out var earlier)) return await earlier;
        var reply = new ChatMessage(0, Id, ++_lastSeq, botId, "text", "", null, replyToSeq, clientMsgId,
            TruncateToMicroseconds(DateTime.UtcNow), null, false, Status: MessageStatus.Streaming);
        var starting = Commit(reply);
        Remember(botId, clientMsgId, starting);
        try
        {
            return await starting;
        }
        catch
        {
            _recent.Remove((botId, clientMsgId));
            throw;
        }
    }

    public async Task<ChatMessage?> FinishReply(long botId, long seq, string text, MessageStatus status, string? notice)
    {
        if (status == MessageStatus.Streaming) return null;
        var finished = await log.FinishReply(Id, seq, botId, text, status, notice);
        if (finished is null) return null;
        // The retry cache holds the reply as it started: a repeated trigger must see it finished.
        _recent[(botId, finished.ClientMsgId)] = Task.FromResult(Result<ChatMessage>.Success(finished));
        await Publish(new ReplyFinished(finished), botId);
        return finished;
    }

    /// <summary>Hands a committed message to the bots it may concern; they are asked outside this turn.</summary>
    void AskBots(ChatMessage message)
    {
        _bots ??= ServiceProvider.GetRequiredService<BotTriggers>();
        _bots.Consider(message);
    }
}
