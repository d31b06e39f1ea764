using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>P pairs: in each, one user sends to the other as fast as acks allow; throughput = acknowledged and delivered messages/s.</summary>
public static class DirectScenario
{
    public static async Task<SideResult> RunAsync(Target target, BenchOptions options)
    {
        var pairs = options.DirectPairs;
        var users = await target.UsersAsync(2 * pairs);
        var latencies = new LatencyRecorder();
        var connections = new List<HubConnection>();
        try
        {
            var senders = new List<Sender>();
            for (var i = 0; i < pairs; i++)
            {
                var (from, to) = (users[2 * i], users[2 * i + 1]);
                connections.Add(await target.ConnectAsync(to, m => { if (m.SenderId != to.UserId) latencies.RecordFromText(m.Text); }));
                var sender = await target.ConnectAsync(from, null);
                connections.Add(sender);
                senders.Add(new Sender(sender, Target.DirectConversationId(from.UserId, to.UserId)));
            }
            Progress.Line($"  {target.Name}: {pairs} pairs connected, sending for {options.RunTime.TotalSeconds:0} s");
            return await LoadRun.RunAsync($"direct/{target.Name}", senders, 1, latencies, options.RunTime,
                new() { ["pairs"] = pairs, ["outstandingPerSender"] = 1 });
        }
        finally
        {
            await LoadRun.CloseAllAsync(connections);
        }
    }
}
