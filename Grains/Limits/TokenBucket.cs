using System.Diagnostics;
using System.Globalization;

namespace GoChat.Grains.Limits;

/// <summary>
/// A token bucket: holds up to <c>capacity</c> tokens, refilled steadily at <c>perSecond</c>; an
/// action takes tokens, or is told how long until there are enough. "N per day" is a bucket of N
/// refilled over a day: N at once, then one every day/N. Not thread-safe: a grain's turns use it.
/// Times are <see cref="Stopwatch"/> timestamps, immune to clock changes.
/// </summary>
internal sealed class TokenBucket(double capacity, double perSecond)
{
    readonly double _capacity = capacity;
    double _tokens = capacity;
    long? _at; // when _tokens was last brought up to date; none before the first use (a new bucket is full)

    /// <summary>The tokens there now.</summary>
    public double Available(long now)
    {
        if (_at is { } at && now > at) _tokens = Math.Min(_capacity, _tokens + Stopwatch.GetElapsedTime(at, now).TotalSeconds * perSecond);
        if (_at is null || now > _at) _at = now;
        return _tokens;
    }

    public bool TryTake(double count, long now)
    {
        if (Available(now) < count) return false;
        _tokens -= count;
        return true;
    }

    /// <summary>Takes as many whole tokens as there are, up to <paramref name="count"/>.</summary>
    public long TakeUpTo(long count, long now)
    {
        var taken = (long)Math.Min(count, Math.Floor(Available(now)));
        if (taken > 0) _tokens -= taken;
        return Math.Max(0, taken);
    }

    /// <summary>Gives tokens back (never beyond the capacity).</summary>
    public void Return(double count, long now) => _tokens = Math.Min(_capacity, Available(now) + count);

    /// <summary>How long until the bucket holds <paramref name="count"/> tokens (at most its capacity).</summary>
    public TimeSpan Until(double count, long now)
    {
        var missing = Math.Min(count, _capacity) - Available(now);
        return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(missing / perSecond);
    }

    /// <summary>How long until the bucket is full again, as if nothing were taken meanwhile.</summary>
    public TimeSpan UntilFull(long now) => Until(_capacity, now);
}

/// <summary>Waits as people read them: "1 second", "40 seconds", "12 minutes", "3 hours".</summary>
internal static class Waits
{
    public static string Describe(TimeSpan wait)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        if (seconds < 120) return Plural(seconds, "second");
        if (seconds < 2 * 3600) return Plural((seconds + 59) / 60, "minute");
        return Plural((seconds + 3599) / 3600, "hour");
    }

    static string Plural(long n, string unit) => n.ToString(CultureInfo.InvariantCulture) + " " + unit + (n == 1 ? "" : "s");
}
