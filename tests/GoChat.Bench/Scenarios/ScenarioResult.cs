namespace GoChat.Bench.Scenarios;

/// <summary>One side (GoChat or baseline) of one scenario; <see cref="Extra"/> holds scenario-specific figures.</summary>
public sealed record SideResult(double Throughput, double P50Ms, double P95Ms, double P99Ms, long Errors, Dictionary<string, object> Extra)
{
    public static SideResult From(double throughput, LatencyRecorder latencies, long errors, Dictionary<string, object> extra)
    {
        var (p50, p95, p99) = latencies.Percentiles();
        return new SideResult(throughput, p50, p95, p99, errors, extra);
    }

    /// <summary>The JSON shape of the results file: throughput, p50Ms, p95Ms, p99Ms, errors, then the extras.</summary>
    public Dictionary<string, object?> ToJson() => new(Extra.Select(e => KeyValuePair.Create(e.Key, (object?)e.Value)))
    {
        ["throughput"] = Math.Round(Throughput, 1),
        ["p50Ms"] = Rounded(P50Ms),
        ["p95Ms"] = Rounded(P95Ms),
        ["p99Ms"] = Rounded(P99Ms),
        ["errors"] = Errors,
    };

    static double? Rounded(double ms) => double.IsFinite(ms) ? Math.Round(ms, 2) : null;
}

/// <summary>A scenario's figures on both sides; the baseline is null where it has nothing to compare (history).</summary>
public sealed record ScenarioResult(string Name, string Unit, SideResult? GoChat, SideResult? Baseline, string Note)
{
    public double? Ratio => GoChat is not null && Baseline is { Throughput: > 0 } ? GoChat.Throughput / Baseline.Throughput : null;
}
