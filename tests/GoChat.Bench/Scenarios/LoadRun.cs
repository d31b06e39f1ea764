using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>One sender: a connection and the conversation it writes to.</summary>
public sealed record Sender(HubConnection Connection, string ConversationId);

/// <summary>
/// Drives senders as fast as acknowledgements allow (one send outstanding per sender), bounded by time and
/// count, then waits for the deliveries still in flight. Receivers record latencies into the same recorder.
/// </summary>
public static class LoadRun
{
    const int MaxSendsPerSender = 200_000;
    const int WarmUpMaxSendsPerSender = 5_000;
    static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(3);
    static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(10);

    public static async Task<SideResult> RunAsync(string label, Target target, IReadOnlyList<Sender> senders, int deliveriesPerMessage,
        LatencyRecorder latencies, TimeSpan runTime, Dictionary<string, object> extra, double sendsPerSecondPerSender = 0)
    {
        // Unmeasured warm-up, so JIT tiering, grain activations and stream subscriptions are behind us.
        using (var warm = new CancellationTokenSource(WarmUpTime))
            await Task.WhenAll(senders.Select(s => Task.Run(async () =>
            {
                for (var i = 0; i < WarmUpMaxSendsPerSender && !warm.IsCancellationRequested; i++)
                    try { await Target.SendAsync(s.Connection, s.ConversationId, measured: false); } catch (Exception) { }
            })));
        await Task.Delay(500);

        long acked = 0, failed = 0;
        using var stop = new CancellationTokenSource(runTime);
        var clock = Stopwatch.StartNew();
        var cpu = new CpuMeter(target.Process);
        using var progress = new Timer(_ => Progress.Line($"  {label}: {Interlocked.Read(ref acked)} acked, {latencies.Count} delivered, {Interlocked.Read(ref failed)} errors"),
            null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        await Task.WhenAll(senders.Select(s => Task.Run(async () =>
        {
            var paced = Stopwatch.StartNew();
            for (var n = 0; n < MaxSendsPerSender && !stop.IsCancellationRequested; n++)
            {
                if (sendsPerSecondPerSender > 0 && TimeSpan.FromSeconds(n / sendsPerSecondPerSender) - paced.Elapsed is { Ticks: > 0 } wait)
                    await Task.Delay(wait);
                try
                {
                    await Target.SendAsync(s.Connection, s.ConversationId, measured: true);
                    Interlocked.Increment(ref acked);
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref failed) <= 3) Progress.Line($"  {label}: send failed: {e.Message}");
                }
            }
        })));
        var sendTime = clock.Elapsed;
        cpu.Report(extra);

        var expected = acked * deliveriesPerMessage;
        var drainUntil = DateTime.UtcNow + DrainTime;
        while (latencies.Count < expected && DateTime.UtcNow < drainUntil) await Task.Delay(50);
        var delivered = latencies.Count;
        var missing = Math.Max(0, expected - delivered);
        if (missing > 0) Progress.Line($"  {label}: {missing} deliveries missing after {DrainTime.TotalSeconds:0} s");

        extra["acked"] = acked;
        extra["delivered"] = delivered;
        extra["missingDeliveries"] = missing;
        extra["sendErrors"] = failed;
        extra["seconds"] = Math.Round(sendTime.TotalSeconds, 2);
        var unit = deliveriesPerMessage == 1 ? (double)Math.Min(acked, delivered) : delivered;
        return SideResult.From(unit / sendTime.TotalSeconds, latencies, failed + missing, extra);
    }

    public static async Task CloseAllAsync(IEnumerable<HubConnection> connections) =>
        await Task.WhenAll(connections.Select(async c => { try { await c.DisposeAsync(); } catch (Exception) { } }));
}
