using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>C idle authenticated, synced connections; server memory (RSS) per connection. Users are reused round-robin.</summary>
public static class ConnectionsScenario
{
    const int ConnectConcurrency = 16;
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<SideResult> RunAsync(Target target, BenchOptions options)
    {
        var count = options.IdleConnections;
        var users = await target.UsersAsync(Math.Min(count, options.GroupMembers));
        await Task.Delay(Settle);
        var before = target.Process?.RssKb();
        var opened = new List<HubConnection>();
        var latencies = new LatencyRecorder();
        long errors = 0;
        try
        {
            var clock = Stopwatch.StartNew();
            var cpu = new CpuMeter(target.Process);
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (i, ct) =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var connection = await target.ConnectAsync(users[i % users.Count], null, ct);
                    latencies.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    lock (opened) opened.Add(connection);
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref errors) <= 3) Progress.Line($"  connections/{target.Name}: connect failed: {e.Message}");
                }
                if ((i + 1) % 500 == 0) Progress.Line($"  connections/{target.Name}: {i + 1}/{count} opened");
            });
            var openTime = clock.Elapsed;
            var cpuUse = new Dictionary<string, object>();
            cpu.Report(cpuUse);
            await Task.Delay(Settle);
            var after = target.Process?.RssKb();
            double? perConnection = before is { } b && after is { } a && opened.Count > 0 ? Math.Round((a - b) / (double)opened.Count, 1) : null;
            Progress.Line($"  connections/{target.Name}: {opened.Count} open, RSS {before} -> {after} KB, {perConnection?.ToString() ?? "n/a"} KB per connection");
            var extra = new Dictionary<string, object>(cpuUse)
            {
                ["connections"] = opened.Count,
                ["users"] = users.Count,
                ["rssBeforeKb"] = (object?)before ?? "n/a",
                ["rssAfterKb"] = (object?)after ?? "n/a",
                ["kbPerConnection"] = (object?)perConnection ?? "n/a",
            };
            // The server's CPU per connect: steadier than the rate on a machine that is doing other work too.
            if (cpuUse.TryGetValue("serverCpuPct", out var serverPct) && opened.Count > 0)
                extra["serverCpuMsPerConnect"] = Math.Round(Convert.ToDouble(serverPct) / 100 * openTime.TotalMilliseconds / opened.Count, 3);
            return SideResult.From(opened.Count / openTime.TotalSeconds, latencies, errors, extra);
        }
        finally
        {
            await LoadRun.CloseAllAsync(opened);
        }
    }
}
