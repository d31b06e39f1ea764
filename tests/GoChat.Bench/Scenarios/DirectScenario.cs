using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>P pairs: in each, one user sends to the other as fast as acks allow; throughput = acknowledged and delivered messages/s.</summary>
public static class DirectScenario
{
    /// <summary>Runs flat out; with <paramref name="alsoAtHalfRate"/> then again paced at half the rate reached, for the latency goal.</summary>
    public static async Task<SideResult> RunAsync(Target target, BenchOptions options, bool alsoAtHalfRate)
    {
        var pairs = options.DirectPairs;
        var users = await target.UsersAsync(2 * pairs);
        var latencies = new LatencyRecorder(); // receivers record into whichever run is current
        var connections = new List<HubConnection>();
        try
        {
            var senders = new List<Sender>();
            for (var i = 0; i < pairs; i++)
            {
                var (from, to) = (users[2 * i], users[2 * i + 1]);
                connections.Add(await target.ConnectAsync(to, m => { if (m.SenderId != to.UserId) Volatile.Read(ref latencies).RecordFromText(m.Text); }));
                var sender = await target.ConnectAsync(from, null);
                connections.Add(sender);
                senders.Add(new Sender(sender, Target.DirectConversationId(from.UserId, to.UserId)));
            }
            Progress.Line($"  {target.Name}: {pairs} pairs connected, sending for {options.RunTime.TotalSeconds:0} s");
            var max = await LoadRun.RunAsync($"direct/{target.Name}", target, senders, 1, latencies, options.RunTime,
                new() { ["pairs"] = pairs, ["outstandingPerSender"] = 1 });
            if (!alsoAtHalfRate || max.Throughput <= 0) return max;

            var halfRate = max.Throughput / 2;
            Progress.Line($"  {target.Name}: again, paced at half that rate ({halfRate:0} messages/s)");
            Volatile.Write(ref latencies, new LatencyRecorder());
            var paced = await LoadRun.RunAsync($"direct-half/{target.Name}", target, senders, 1, latencies, options.RunTime / 2,
                new(), halfRate / pairs);
            max.Extra["halfRate"] = paced.ToJson();
            return max with { Errors = max.Errors + paced.Errors };
        }
        finally
        {
            await LoadRun.CloseAllAsync(connections);
        }
    }
}
