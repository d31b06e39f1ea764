using System.Diagnostics;

namespace GoChat.Bench;

/// <summary>Send-to-receive latencies of one run; senders stamp <see cref="Stopwatch.GetTimestamp"/> into the message text.</summary>
public sealed class LatencyRecorder
{
    readonly Lock _lock = new();
    readonly List<double> _ms = new(1 << 16);

    /// <summary>The text of a bench message: the send time, and whether it belongs to the measured run (not the warm-up).</summary>
    public static string Stamp(bool measured) => $"{Stopwatch.GetTimestamp()}|{(measured ? MeasuredTag : "warm-up")}";

    const string MeasuredTag = "measured";

    /// <summary>Records the latency of a measured message; false for warm-up or foreign messages.</summary>
    public bool RecordFromText(string? text)
    {
        if (text is null || !text.EndsWith(MeasuredTag, StringComparison.Ordinal)) return false;
        var bar = text.IndexOf('|');
        if (bar <= 0 || !long.TryParse(text.AsSpan(0, bar), out var sent)) return false;
        Record(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        return true;
    }

    public void Record(double ms)
    {
        lock (_lock) _ms.Add(ms);
    }

    public int Count
    {
        get { lock (_lock) return _ms.Count; }
    }

    public (double P50, double P95, double P99) Percentiles()
    {
        double[] sorted;
        lock (_lock) sorted = [.. _ms];
        if (sorted.Length == 0) return (double.NaN, double.NaN, double.NaN);
        Array.Sort(sorted);
        double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return (At(0.50), At(0.95), At(0.99));
    }
}
