namespace GoChat.Bench.Scenarios;

/// <summary>One side (GoChat or baseline) of one scenario; <see cref="Extra"/> holds scenario-specific figures.</summary>
public sealed record SideResult(double Throughput, double P50Ms, double P95Ms, double P99Ms, long Errors, Dictionary<string, object> Extra)
{
    public static SideResult From(double throughput, LatencyRecorder latencies, long errors, Dictionary<string, object> extra)
    {
        var (p50, p95, p99) = latencies.Percentiles();
        return new SideResult(throughput, p50, p95, p99, errors, extra);
    }
}

/// <summary>A scenario's figures on both sides; the baseline is null where it has nothing to compare (history).</summary>
public sealed record ScenarioResult(string Name, string Unit, SideResult? GoChat, SideResult? Baseline, string Note)
{
    public double? Ratio => GoChat is not null && Baseline is { Throughput: > 0 } ? GoChat.Throughput / Baseline.Throughput : null;
}
