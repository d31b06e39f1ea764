using Xunit.Abstractions;

namespace GoChat.Tests.Operations.Failover;

/// <summary>
/// Timing is what these tests measure: other classes loading the machine at the same time would
/// move the figures (and, on two cores, could starve the nodes' membership probes).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}

/// <summary>
/// A cluster of three processes on loopback (two WebFronts, one headless Silo, one PostgreSQL) under
/// a bounded chat load from clients that retry with the same clientMsgId and resync by seq. Each
/// fault is measured: the longest time a client could not get a send acknowledged (docs/operations.md
/// records the figures).
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    const int People = 12;

    [Fact]
    public async Task A_killed_silo_a_killed_WebFront_and_a_database_restart_under_load_lose_duplicate_and_reorder_no_acknowledged_message()
    {
        await using var cluster = await FailoverCluster.StartAsync();
        await using var load = await ChatLoad.StartAsync(cluster, People);
        var web2 = cluster.Fronts[1];

        await load.FaultAsync("kill -9 of the headless silo", cluster.Silo.Kill);
        await load.FaultAsync("the headless silo starts again", cluster.Silo.StartAsync);
        await load.FaultAsync("kill -9 of a WebFront (its clients move to the other)", web2.Kill);
        await load.FaultAsync("the WebFront starts again", web2.StartAsync);
        await load.FaultAsync("PostgreSQL restarts (pg_ctl restart -m fast)", cluster.RestartDatabaseAsync);
        await load.StopAndVerifyAsync();
        Report(load);
    }

    [Fact]
    public async Task A_rolling_restart_of_every_process_under_load_loses_duplicates_and_reorders_no_acknowledged_message()
    {
        await using var cluster = await FailoverCluster.StartAsync();
        await using var load = await ChatLoad.StartAsync(cluster, People);

        foreach (var node in cluster.Nodes)
            await load.FaultAsync($"{node.Name} stops (SIGTERM) and starts again", async () =>
            {
                node.Stop();
                await node.StartAsync();
            });
        await load.StopAndVerifyAsync();
        Report(load);
    }

    void Report(ChatLoad load)
    {
        output.WriteLine(load.Summary);
        foreach (var outage in load.Outages)
            output.WriteLine($"{outage.Fault}: worst {outage.Worst.TotalSeconds:0.0} s ({outage.WorstChatter}), median {outage.Median.TotalSeconds:0.0} s");
    }
}
