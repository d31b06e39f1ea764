using GoChat.Bench.Baseline;
using GoChat.Bench.Scenarios;

namespace GoChat.Bench;

/// <summary>Starts the servers, runs the chosen scenarios against GoChat then the baseline, and reports.</summary>
public static class BenchRun
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        Progress.Line($"GoChat bench ({(options.Quick ? "quick" : "full")}): {string.Join(", ", options.Scenarios)}");
        ServerProcess? ownGoChat = null;
        string? dataDir = null;
        // The bots scenario's model: started first, so GoChat starts with a bot pointed at it.
        await using var model = options.Scenarios.Contains("bots") && options.Url is null ? await FakeModel.StartAsync() : null;
        if (options.Url is null)
        {
            Progress.Line("starting GoChat (Release, fresh data directory, embedded PostgreSQL)");
            (ownGoChat, dataDir) = await GoChatProcess.StartAsync(model is null ? [] : BotsScenario.BotSettings(model));
            Progress.Line($"GoChat ready at {ownGoChat.BaseAddress} (pid {ownGoChat.Pid}, data {dataDir})");
        }
        await using var baselineProcess = await BaselineServer.StartAsync();
        Progress.Line($"baseline ready at {baselineProcess.BaseAddress} (pid {baselineProcess.Pid})");
        using var gochat = new Target("GoChat", options.Url ?? ownGoChat!.BaseAddress, ownGoChat);
        using var baseline = new Target("baseline", baselineProcess.BaseAddress, baselineProcess);

        var results = new List<ScenarioResult>();
        try
        {
            foreach (var scenario in options.Scenarios)
            {
                Progress.Line($"scenario {scenario}");
                try
                {
                    results.Add(await RunScenarioAsync(scenario, gochat, baseline, ownGoChat, dataDir, options, model));
                }
                catch (Exception e)
                {
                    Progress.Line($"scenario {scenario} failed: {e}");
                    results.Add(new ScenarioResult(scenario, "-", null, null, $"failed: {e.Message}"));
                }
            }
        }
        finally
        {
            if (ownGoChat is not null)
            {
                var problems = ownGoChat.Log.Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)).ToList();
                if (problems.Count > 0) Progress.Line($"GoChat logged {problems.Count} fail/crit lines; first: {problems[0]}");
                Progress.Line("stopping GoChat");
                await ownGoChat.DisposeAsync();
                try { if (dataDir is not null) Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
            }
        }

        var table = Report.Markdown(results);
        Console.WriteLine();
        Console.WriteLine(table);
        await Report.WriteJsonAsync(options.OutFile, results, options);
        Progress.Line($"results written to {Path.GetFullPath(options.OutFile)}");
        return results.All(r => r.GoChat is not null) ? 0 : 1;
    }

    static async Task<ScenarioResult> RunScenarioAsync(string scenario, Target gochat, Target baseline,
        ServerProcess? ownGoChat, string? dataDir, BenchOptions options, FakeModel? model)
    {
        switch (scenario)
        {
            case "direct":
                return new ScenarioResult(scenario, "messages/s", await DirectScenario.RunAsync(gochat, options, alsoAtHalfRate: true), await DirectScenario.RunAsync(baseline, options, alsoAtHalfRate: false),
                    $"{options.DirectPairs} pairs, one send outstanding per sender, {options.RunTime.TotalSeconds:0} s per side");
            case "group":
                return new ScenarioResult(scenario, "deliveries/s", await GroupScenario.RunAsync(gochat, options), await GroupScenario.RunAsync(baseline, options),
                    $"G={options.GroupMembers}, K={options.GroupConnected}, M={options.GroupSenders}, one send outstanding per sender{(options.Quick ? " (G scaled down for --quick; the goal is at G=1,000)" : "")}");
            case "connections":
                var g = await ConnectionsScenario.RunAsync(gochat, options);
                var b = await ConnectionsScenario.RunAsync(baseline, options);
                return new ScenarioResult(scenario, "connects/s", g, b,
                    $"C={options.IdleConnections}{(options.Quick ? " (scaled down for --quick; the goal is at 5,000)" : "")}; KB/connection GoChat {g.Extra["kbPerConnection"]}, baseline {b.Extra["kbPerConnection"]}; latency = connect+Sync");
            case "history":
                if (ownGoChat is null || dataDir is null)
                    return new ScenarioResult(scenario, "pages/s", null, null, "skipped: needs the bench's own GoChat (no --url) to bulk-load its database");
                return new ScenarioResult(scenario, "pages/s", await HistoryScenario.RunAsync(gochat, GoChatProcess.EmbeddedConnectionString(ownGoChat, dataDir), options), null,
                    $"{options.HistoryRows:N0} messages, random 50-message pages by beforeSeq, one reader (latency = one request); no baseline");
            case "calls":
                return new ScenarioResult(scenario, "setups/s", await CallsScenario.RunAsync(gochat, options), null,
                    $"{options.CallPairs} pairs setting up calls back to back (signalling only: start, ring, accept, offer/answer and 2 candidates each way, hang up); latency = StartCall to callRinging on the callee; {options.CallChatPairs} chat senders paced beside; no baseline");
            case "bots":
                if (ownGoChat is null || model is null)
                    return new ScenarioResult(scenario, "stream events/s", null, null, "skipped: needs the bench's own GoChat (no --url), started with a bot on the bench's fake model");
                return await BotsScenario.RunAsync(gochat, model, options);
            default:
                throw new ArgumentException(scenario);
        }
    }
}
