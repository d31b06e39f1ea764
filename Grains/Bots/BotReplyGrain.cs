using System.Diagnostics;
using System.Text;
using GoChat.Grains.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GoChat.Grains.Bots;

/// <summary>
/// One bot's replies in one conversation. Key: "{botUserId}:{conversationId}".
/// State (memory): the reply being generated (its seq, who asked, how to stop it) and the questions
/// waiting for it. Invariants: one reply at a time here; a reply is stored streaming when it starts
/// (the conversation grain gives it its seq), its growth is published as messageStreaming events
/// from here, never through the conversation grain, and it is finished once, with what arrived,
/// whatever ends it (done, stopped, a provider failure). Replies a previous activation left
/// streaming (its silo died) are marked interrupted on activation.
/// Reentrant, so a stop reaches the reply it stops; the generation loop runs one reply at a time,
/// its streaming on the thread pool (the chunks need nothing of the grain).
/// </summary>
[Reentrant]
internal sealed class BotReplyGrain(BotDirectory bots, MessageLog log, IGrainFactory grains, ILogger<BotReplyGrain> logger)
    : Grain, IBotReplyGrain
{
    /// <summary>Questions that wait while the bot answers here; more are answered with a notice.</summary>
    const int MaxWaiting = 3;
    /// <summary>Streaming events go out at most this often: a few per second is smooth to read and cheap to deliver.</summary>
    static readonly TimeSpan StreamEventInterval = TimeSpan.FromMilliseconds(250);
    /// <summary>"Typing" is repeated this often until the first token (clients forget it after a few seconds).</summary>
    static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(3);
    /// <summary>How often GoChat asks the provider again, before any text arrived, after a failure worth retrying.</summary>
    const int MaxRetries = 2;
    /// <summary>A reply longer than this is cut (MaxOutputTokens normally stops it long before).</summary>
    const int MaxReplyCharacters = 32_000;

    sealed record Reply(long Seq, long AskerId, CancellationTokenSource Stop);

    long _botId;
    string _conversationId = "";
    long? _groupId;
    (long Lo, long Hi)? _direct;
    Reply? _current;
    bool _running;
    readonly Queue<(long AskerId, long Seq)> _waiting = new();

    IConversationReplies Conversation => grains.GetGrain<IConversationReplies>(_conversationId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_botId, _conversationId) = BotReplyKeys.Parse(this.GetPrimaryKeyString());
        ConversationIds.TryParse(_conversationId, out _direct, out _groupId);
        var left = await log.StreamingReplies(_conversationId, _botId);
        if (left.Count == 0) return;
        var name = bots.Get(_botId)?.DisplayName ?? "The bot";
        foreach (var seq in left)
        {
            var partial = await log.Get(_conversationId, seq);
            await Conversation.FinishReply(_botId, seq, partial?.Text ?? "", MessageStatus.Failed, ProviderFailure.Interrupted(name).Notice);
        }
        BotLog.Interrupted(logger, left.Count, _botId, _conversationId);
    }

    public async Task Ask(long askerId, long seq)
    {
        if (bots.Get(_botId) is not { } bot || bots.Get(askerId) is not null) return;
        if (await grains.GetGrain<IBotQuotaGrain>(_botId).Admit(askerId) is { } refusal)
        {
            await Refuse(seq, refusal);
            return;
        }
        if (bot.Unavailable is { } unavailable)
        {
            await Refuse(seq, $"{bot.DisplayName} cannot answer just now: {unavailable}.");
            return;
        }
        if (_running)
        {
            if (_waiting.Count >= MaxWaiting) await Refuse(seq, $"{bot.DisplayName} is still answering earlier messages here; ask again when it is done.");
            else _waiting.Enqueue((askerId, seq));
            return;
        }
        _running = true;
        _ = AnswerInTurn(bot, askerId, seq);
    }

    public Task<DomainError?> Stop(long callerId, long seq) => Task.FromResult(StopNow(callerId, seq));

    DomainError? StopNow(long callerId, long seq)
    {
        if (_current is not { } reply || reply.Seq != seq) return DomainError.Conflict("this reply is not being generated any more");
        if (callerId != reply.AskerId && !_groupAdmins.Contains(callerId))
            return DomainError.Forbidden("only the person who asked, or an owner or admin of the group, can stop this reply");
        reply.Stop.Cancel();
        return null;
    }

    /// <summary>The group's owner and admins when the current reply started (read once per reply; they may stop it).</summary>
    HashSet<long> _groupAdmins = [];

    /// <summary>Answers the questions one after another, in this activation's turns (so Stop interleaves).</summary>
    async Task AnswerInTurn(Bot bot, long askerId, long seq)
    {
        try
        {
            var next = (AskerId: askerId, Seq: seq);
            while (true)
            {
                try
                {
                    await Answer(bot, next.AskerId, next.Seq);
                }
                catch (Exception e)
                {
                    BotLog.ReplyError(logger, e, bot.Username, _conversationId, next.Seq);
                }
                if (!_waiting.TryDequeue(out next)) break;
            }
        }
        finally
        {
            _running = false;
        }
    }

    async Task Answer(Bot bot, long askerId, long questionSeq)
    {
        var started = await Conversation.StartReply(_botId, questionSeq);
        if (started.Value is not { Status: MessageStatus.Streaming } reply) return; // not a member any more, or answered already
        using var stop = new CancellationTokenSource();
        _groupAdmins = _groupId is { } groupId
            ? (await grains.GetGrain<IGroupGrain>(groupId).GetMembers()).Where(m => m.Role is GroupRole.Owner or GroupRole.Admin).Select(m => m.UserId).ToHashSet()
            : [];
        _current = new Reply(reply.Seq, askerId, stop);
        // Replies are short; this only guards a slow one against idle collection.
        DelayDeactivation(TimeSpan.FromMinutes(30));
        var text = new StringBuilder();
        var outcome = (Status: MessageStatus.Failed, Notice: (string?)null, Usage: (UsageDetails?)null, PromptChars: 0);
        try
        {
            var prompt = await BotPrompt.Build(bot, _conversationId, questionSeq, log, grains, bots);
            // On the thread pool, not in this activation's turns: a streamed reply is dozens of chunks a
            // second, and none of them needs the grain (publishing goes straight to the routes).
            outcome = await Task.Run(() => Generate(bot, prompt, reply.Seq, text, stop.Token));
        }
        catch (Exception e)
        {
            BotLog.ReplyError(logger, e, bot.Username, _conversationId, reply.Seq);
            outcome = (MessageStatus.Failed, ProviderFailure.From(e, bot).Notice, null, 0);
        }
        finally
        {
            _current = null;
        }
        await Conversation.FinishReply(_botId, reply.Seq, text.ToString(), outcome.Status, outcome.Notice);
        // Providers that report no usage are counted at about four characters a token.
        var promptTokens = outcome.Usage?.InputTokenCount ?? (outcome.PromptChars + 3) / 4;
        var completionTokens = outcome.Usage?.OutputTokenCount ?? (text.Length + 3) / 4;
        await grains.GetGrain<IBotQuotaGrain>(_botId).Record(promptTokens, completionTokens);
    }

    async Task<(MessageStatus, string?, UsageDetails?, int)> Generate(Bot bot, List<Microsoft.Extensions.AI.ChatMessage> prompt, long seq, StringBuilder text, CancellationToken stop)
    {
        var settings = bot.Settings;
        var options = new ChatOptions { MaxOutputTokens = settings.MaxOutputTokens, Temperature = (float?)settings.Temperature };
        var typing = KeepTyping(stop);
        var shrunk = false;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                using var idle = new CancellationTokenSource(settings.IdleTimeout);
                using var request = CancellationTokenSource.CreateLinkedTokenSource(stop, idle.Token);
                var promptChars = prompt.Sum(m => m.Text.Length);
                var filter = new ThinkingFilter();
                var lastEvent = 0L;
                UsageDetails? usage = null;
                string? finish = null;
                try
                {
                    await foreach (var update in bot.Client!.GetStreamingResponseAsync(prompt, options, request.Token))
                    {
                        idle.CancelAfter(settings.IdleTimeout);
                        foreach (var content in update.Contents)
                            if (content is UsageContent u) usage = u.Details;
                            else if (content is ErrorContent) return (MessageStatus.Failed, ProviderFailure.StreamError(bot).Notice, usage, promptChars);
                        if (update.FinishReason is { } reason) finish = reason.Value;
                        var visible = filter.Push(update.Text);
                        // Models often open with blank lines (after their thinking, say): a reply starts with its first word.
                        if (text.Length == 0) visible = visible.TrimStart();
                        if (visible.Length == 0) continue;
                        text.Append(visible);
                        typing.Cancel();
                        if (text.Length > MaxReplyCharacters)
                            return (MessageStatus.Complete, $"{bot.DisplayName}'s reply was cut at {MaxReplyCharacters} characters.", usage, promptChars);
                        if (lastEvent == 0 || Stopwatch.GetElapsedTime(lastEvent) >= StreamEventInterval)
                        {
                            lastEvent = Stopwatch.GetTimestamp();
                            await Publish(new MessageStreaming(_conversationId, seq, _botId, text.ToString()));
                        }
                    }
                    text.Append(text.Length == 0 ? filter.Flush().TrimStart() : filter.Flush());
                    // An OpenAI-compatible stream that ends without a finish reason was cut (or ended by an error event).
                    if (finish is null && bot.Settings.Provider == BotSettings.OpenAi)
                    {
                        var early = ProviderFailure.EndedEarly(bot);
                        BotLog.ReplyFailed(logger, bot.Username, _conversationId, seq, early.Kind);
                        return (MessageStatus.Failed, early.Notice, usage, promptChars);
                    }
                    var cut = finish == "length" ? $"{bot.DisplayName}'s reply reached its length limit." : null;
                    return (MessageStatus.Complete, cut, usage, promptChars);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return (MessageStatus.Stopped, null, usage, promptChars);
                }
                catch (Exception) when (idle.IsCancellationRequested)
                {
                    var failure = ProviderFailure.Idle(bot);
                    BotLog.ReplyFailed(logger, bot.Username, _conversationId, seq, failure.Kind);
                    return (MessageStatus.Failed, failure.Notice, usage, promptChars);
                }
                catch (Exception e)
                {
                    var failure = ProviderFailure.From(e, bot);
                    if (text.Length == 0 && attempt < MaxRetries)
                    {
                        if (failure.ContextTooLong && !shrunk && prompt.Count > 2)
                        {
                            prompt = BotPrompt.Halved(prompt);
                            shrunk = true;
                            BotLog.Retrying(logger, bot.Username, TimeSpan.Zero, failure.Kind);
                            continue;
                        }
                        if (failure.RetryAfter is { } delay)
                        {
                            BotLog.Retrying(logger, bot.Username, delay, failure.Kind);
                            await Task.Delay(delay, stop);
                            continue;
                        }
                    }
                    BotLog.ReplyFailed(logger, bot.Username, _conversationId, seq, failure.Kind);
                    return (MessageStatus.Failed, failure.Notice, usage, promptChars);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return (MessageStatus.Stopped, null, null, 0); // stopped while waiting to ask again
        }
        finally
        {
            typing.Cancel();
        }
    }

    /// <summary>Shows the bot typing ("thinking") until the first token, the reply's end, or a stop.</summary>
    CancellationTokenSource KeepTyping(CancellationToken stop)
    {
        var typing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _ = Loop(typing.Token);
        return typing;

        async Task Loop(CancellationToken ct)
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Publish(new UserTyping(_conversationId, _botId));
                    await Task.Delay(TypingInterval, ct);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>A question answered with a notice instead of the model (a limit, an unavailable model): a failed reply, zero requests upstream.</summary>
    async Task Refuse(long questionSeq, string notice)
    {
        var started = await Conversation.StartReply(_botId, questionSeq);
        if (started.Value is { Status: MessageStatus.Streaming } reply)
            await Conversation.FinishReply(_botId, reply.Seq, "", MessageStatus.Failed, notice);
    }

    /// <summary>To the conversation's connections, as the conversation grain publishes: a group's route, or each participant's.</summary>
    Task Publish(ChatEvent chatEvent)
    {
        if (_groupId is { } groupId) return grains.ToGroup(groupId, chatEvent);
        var (lo, hi) = _direct!.Value;
        _ = grains.ToUser(lo, chatEvent);
        _ = grains.ToUser(hi, chatEvent);
        return Task.CompletedTask;
    }
}
