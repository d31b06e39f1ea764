using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Bots;

/// <summary>
/// A bot's limits. Key: the bot's user id. State (memory): when each person asked in the last
/// minute, and the tokens used today, read from bot_usage when first needed each UTC day and moved
/// by every reply's <see cref="Record"/> (which writes through). One per bot in the cluster, so the
/// limits hold whichever silo a conversation's bot grain runs on.
/// Not reentrant: questions and records are counted one at a time.
/// </summary>
internal sealed class BotQuotaGrain(BotDirectory bots, BotStore store, TimeProvider clock, ILogger<BotQuotaGrain> logger) : Grain, IBotQuotaGrain
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    const int ForgetAskersAbove = 10_000;

    readonly Dictionary<long, Queue<DateTime>> _asked = [];
    DateTime _day;
    long? _tokensToday;

    long BotId => this.GetPrimaryKeyLong();

    public async Task<string?> Admit(long userId)
    {
        if (bots.Get(BotId) is not { } bot) return null;
        var now = clock.GetUtcNow().UtcDateTime;
        if (_asked.Count > ForgetAskersAbove) foreach (var idle in _asked.Where(a => a.Value.All(t => now - t >= Window)).Select(a => a.Key).ToList()) _asked.Remove(idle);
        var asked = _asked.TryGetValue(userId, out var q) ? q : _asked[userId] = new Queue<DateTime>();
        while (asked.TryPeek(out var oldest) && now - oldest >= Window) asked.Dequeue();
        var limit = bot.Settings.RequestsPerMinutePerUser;
        if (asked.Count >= limit)
        {
            var wait = Math.Max(1, (int)Math.Ceiling((asked.Peek() + Window - now).TotalSeconds));
            return $"You have asked {bot.DisplayName} {limit} {(limit == 1 ? "question" : "questions")} in the last minute, its limit; ask again in {wait} {(wait == 1 ? "second" : "seconds")}.";
        }
        if (bot.Settings.DailyTokenBudget is { } budget && await TokensToday(now) >= budget)
            return $"{bot.DisplayName} has used all of its tokens for today; it answers again after midnight UTC.";
        asked.Enqueue(now);
        return null;
    }

    public async Task Record(long promptTokens, long completionTokens)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await TokensToday(now);
        _tokensToday += promptTokens + completionTokens;
        try
        {
            await store.AddUsage(BotId, now.Date, promptTokens, completionTokens);
        }
        catch (Exception e)
        {
            BotLog.UsageNotRecorded(logger, e, BotId);
            _tokensToday = null; // read again: the table is the truth
        }
    }

    async Task<long> TokensToday(DateTime now)
    {
        if (_day != now.Date || _tokensToday is null)
        {
            _tokensToday = await store.TokensOn(BotId, now.Date);
            _day = now.Date;
        }
        return _tokensToday.Value;
    }
}
