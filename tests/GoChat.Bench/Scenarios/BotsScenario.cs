using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>
/// R people each ask the bot in their own direct conversation, again as soon as its reply ends, so
/// about R replies stream at once against the fake model (a chunk every 20 ms). Measured: the time
/// GoChat adds between the fake's first content chunk and the asker's first messageStreaming event,
/// streaming events/s delivered, server memory per streaming reply, and the p99 of P pairs chatting
/// directly alongside (paced), compared with the same pairs before the bots started.
/// </summary>
public static class BotsScenario
{
    const string Bot = "benchbot";
    const double DirectSendsPerSecondPerPair = 10;

    public static string[] BotSettings(FakeModel model) =>
    [
        $"--GoChat:Bots:{Bot}:Provider=openai", $"--GoChat:Bots:{Bot}:Endpoint={model.Endpoint}", $"--GoChat:Bots:{Bot}:Model=bench",
        $"--GoChat:Bots:{Bot}:RequestsPerMinutePerUser=10000", $"--GoChat:Bots:{Bot}:MaxContextMessages=4",
    ];

    sealed class Asker(BenchUser user, string conversationId)
    {
        public BenchUser User { get; } = user;
        public string ConversationId { get; } = conversationId;
        public HubConnection Connection { get; set; } = null!;
        public string Question = "";
        public bool SeenFirst;
        public TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static async Task<ScenarioResult> RunAsync(Target target, FakeModel model, BenchOptions options)
    {
        var botId = await BotIdAsync(target);
        var pairs = options.BotSidePairs;
        var users = await target.UsersAsync(options.BotReplies + 2 * pairs);
        var askers = new List<Asker>();
        var firstEventAt = new ConcurrentDictionary<string, long>();
        long streamEvents = 0;
        var connections = new List<HubConnection>();
        try
        {
            foreach (var user in users.Take(options.BotReplies))
            {
                var asker = new Asker(user, await target.OpenDirectAsync(user, botId));
                asker.Connection = await target.ConnectAsync(user, null);
                asker.Connection.On<JsonElement>("messageStreaming", e =>
                {
                    Interlocked.Increment(ref streamEvents);
                    if (e.GetProperty("conversationId").GetString() != asker.ConversationId || asker.SeenFirst) return;
                    asker.SeenFirst = true;
                    firstEventAt.TryAdd(asker.Question, Stopwatch.GetTimestamp());
                });
                asker.Connection.On<JsonElement>("messageUpdated", m =>
                {
                    if (m.GetProperty("senderId").GetInt64() == botId && m.GetProperty("status").GetString() != "streaming") asker.Done.TrySetResult();
                });
                connections.Add(asker.Connection);
                askers.Add(asker);
            }
            var side = new List<Sender>();
            var sideLatencies = new LatencyRecorder();
            foreach (var i in Enumerable.Range(0, pairs))
            {
                var (from, to) = (users[options.BotReplies + 2 * i], users[options.BotReplies + 2 * i + 1]);
                connections.Add(await target.ConnectAsync(to, m => { if (m.SenderId != to.UserId) Volatile.Read(ref sideLatencies).RecordFromText(m.Text); }));
                var sender = await target.ConnectAsync(from, null);
                connections.Add(sender);
                side.Add(new Sender(sender, Target.DirectConversationId(from.UserId, to.UserId)));
            }
            Progress.Line($"  {options.BotReplies} askers and {pairs} chatting pairs connected");

            // Direct chat alone, paced, for the comparison.
            var alone = await LoadRun.RunAsync("bots/direct-alone", target, side, 1, sideLatencies, options.RunTime / 2, [], DirectSendsPerSecondPerPair);

            // Warm-up: every asker once (activations, JIT, the bot's connection pool), unmeasured.
            await Round(askers, "warm-up", TimeSpan.FromSeconds(60));
            firstEventAt.Clear();
            model.FirstChunkAt.Clear();
            Interlocked.Exchange(ref streamEvents, 0);
            await Task.Delay(1000);

            var rssBefore = target.Process?.RssKb() ?? 0;
            long rssPeak = rssBefore;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    rssPeak = Math.Max(rssPeak, target.Process?.RssKb() ?? 0);
                    try { await Task.Delay(200, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            Volatile.Write(ref sideLatencies, new LatencyRecorder());
            var clock = Stopwatch.StartNew();
            var runFor = options.RunTime / 2;
            var replies = 0;
            var asking = Task.WhenAll(askers.Select(async asker =>
            {
                for (var round = 0; clock.Elapsed < runFor; round++)
                {
                    await Ask(asker, $"measured-{round}", TimeSpan.FromSeconds(60));
                    Interlocked.Increment(ref replies);
                }
            }));
            var withBots = await LoadRun.RunAsync("bots/direct-with-bots", target, side, 1, sideLatencies, runFor, [], DirectSendsPerSecondPerPair);
            await asking;
            var seconds = clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;

            var added = new LatencyRecorder();
            var addedOver100Ms = 0;
            foreach (var (question, seen) in firstEventAt)
                if (model.FirstChunkAt.TryGetValue(question, out var chunk))
                {
                    var ms = Stopwatch.GetElapsedTime(chunk, seen).TotalMilliseconds;
                    added.Record(ms);
                    if (ms > 100) addedOver100Ms++;
                }
            var eventsPerSecond = Interlocked.Read(ref streamEvents) / seconds;
            var extra = new Dictionary<string, object>
            {
                ["replies"] = replies,
                ["firstEventsMeasured"] = added.Count,
                ["firstEventsOver100Ms"] = addedOver100Ms,
                ["repliesPerSecond"] = Math.Round(replies / seconds, 1),
                ["replyChunks"] = FakeModel.Chunks,
                ["chunkIntervalMs"] = FakeModel.ChunkInterval.TotalMilliseconds,
                ["memoryKbPerStreamingReply"] = Math.Round((rssPeak - rssBefore) / (double)options.BotReplies, 1),
                ["rssBeforeMb"] = rssBefore / 1024,
                ["rssPeakMb"] = rssPeak / 1024,
                ["directP99AloneMs"] = Math.Round(alone.P99Ms, 2),
                ["directP99WithBotsMs"] = Math.Round(withBots.P99Ms, 2),
                ["directP99Ratio"] = Math.Round(withBots.P99Ms / alone.P99Ms, 2),
                ["directPairs"] = pairs,
                ["directSendsPerSecond"] = pairs * DirectSendsPerSecondPerPair,
                ["modelRequests"] = model.Requests,
            };
            foreach (var key in new[] { "serverCpuPct", "postgresCpuPct", "benchCpuPct", "otherCpuPct" })
                if (withBots.Extra.TryGetValue(key, out var value)) extra[key] = value;
            var result = SideResult.From(eventsPerSecond, added, withBots.Errors, extra);
            return new ScenarioResult("bots", "stream events/s", result, null,
                $"{options.BotReplies} replies streaming at once ({FakeModel.Chunks} chunks every {FakeModel.ChunkInterval.TotalMilliseconds:0} ms each); latency = time GoChat adds from the fake's first chunk to the asker's first messageStreaming; " +
                $"{replies} replies in {seconds:0.0} s; memory per streaming reply {extra["memoryKbPerStreamingReply"]} KB (RSS {rssBefore / 1024} -> {rssPeak / 1024} MB); " +
                $"direct chat p99 alongside ({pairs} pairs, {pairs * DirectSendsPerSecondPerPair:0} messages/s): {alone.P99Ms:0.0} ms alone, {withBots.P99Ms:0.0} ms with bots (x{withBots.P99Ms / alone.P99Ms:0.00}); no baseline");
        }
        catch (Exception)
        {
            foreach (var line in target.Process?.Log.Where(l => l.Contains("warn:") || l.Contains("fail:")).TakeLast(10) ?? [])
                Progress.Line($"  GoChat: {line}");
            Progress.Line($"  the model had {model.Requests} requests");
            throw;
        }
        finally
        {
            await LoadRun.CloseAllAsync(connections);
        }
    }

    static async Task Round(IReadOnlyList<Asker> askers, string tag, TimeSpan within)
    {
        var done = 0;
        using var progress = new Timer(_ => Progress.Line($"  bots/{tag}: {Volatile.Read(ref done)}/{askers.Count} replies done"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        await Task.WhenAll(askers.Select(async a =>
        {
            await Ask(a, tag, within);
            Interlocked.Increment(ref done);
        }));
    }

    static async Task Ask(Asker asker, string tag, TimeSpan within)
    {
        asker.Question = $"{tag}-{asker.User.UserId}";
        asker.SeenFirst = false;
        asker.Done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await asker.Connection.InvokeAsync<JsonElement>("SendMessage",
            new { conversationId = asker.ConversationId, clientMsgId = Guid.NewGuid().ToString("N"), kind = "text", text = asker.Question });
        await asker.Done.Task.WaitAsync(within);
    }

    static async Task<long> BotIdAsync(Target target)
    {
        var someone = (await target.FreshUsersAsync(1, "botlister"))[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/bots");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", someone.Token);
        var response = await target.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var bots = await response.Content.ReadFromJsonAsync<JsonElement[]>() ?? [];
        return bots.Single(b => b.GetProperty("username").GetString() == Bot).GetProperty("userId").GetInt64();
    }
}
