using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>One group of G members, K of them connected, M of those sending; throughput = deliveries/s to the other connected members.</summary>
public static class GroupScenario
{
    const int ConnectConcurrency = 16;

    public static async Task<SideResult> RunAsync(Target target, BenchOptions options)
    {
        var (members, connected, sending) = (options.GroupMembers, options.GroupConnected, options.GroupSenders);
        var users = await target.UsersAsync(members);
        var conversationId = await target.CreateGroupAsync(users[0], users.Skip(1).Select(u => u.UserId));
        Progress.Line($"  {target.Name}: group {conversationId} of {members} members created; connecting {connected}");

        var latencies = new LatencyRecorder();
        var connections = new HubConnection[connected];
        try
        {
            await Parallel.ForAsync(0, connected, new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (i, ct) =>
            {
                var me = users[i];
                connections[i] = await target.ConnectAsync(me, m => { if (m.SenderId != me.UserId) latencies.RecordFromText(m.Text); }, ct);
            });
            var senders = connections.Take(sending).Select(c => new Sender(c, conversationId)).ToList();
            Progress.Line($"  {target.Name}: {connected} connected, {sending} senders, sending for {options.RunTime.TotalSeconds:0} s");
            return await LoadRun.RunAsync($"group/{target.Name}", target, senders, connected - 1, latencies, options.RunTime,
                new() { ["members"] = members, ["connected"] = connected, ["senders"] = sending });
        }
        finally
        {
            await LoadRun.CloseAllAsync(connections.Where(c => c is not null));
        }
    }
}
