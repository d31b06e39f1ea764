using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GoChat.Tests.HostileInput;

/// <summary>
/// The bad-input corpus (docs/security.md, "How it is tested"): every HTTP route of the three dialects, every
/// hub method and both ginchat sockets, enumerated from the running app (<see cref="ApiSurface"/>),
/// get input no client should send. Every answer is in its dialect, never a 5xx or a dropped
/// connection, never a trace of the server's internals; input that must be refused changes nothing.
/// </summary>
public sealed partial class BadInputCorpusTests(CorpusScene scene, ITestOutputHelper output) : IClassFixture<CorpusScene>
{
    [Fact]
    public void The_surface_is_read_from_the_app_and_holds_every_dialect_and_hub_method()
    {
        var surface = scene.Surface;
        var routes = surface.Routes.Select(r => r.ToString()).ToHashSet();
        // A few known routes of each dialect: the enumeration cannot silently come back empty.
        foreach (var known in new[]
        {
            "POST /api/v1/conversations/{id}/messages", "DELETE /api/v1/groups/{id}/members/{userId}", "POST /api/v1/media",
            "POST /douyin/comment/action", "GET /douyin/videos/{id}/play", "POST /user/createUser", "GET /user/deleteUser", "POST /contact/addFriend",
            "GET /user/sendUserMsg", "GET /user/sendMsg",
        })
            Assert.Contains(known, routes);
        Assert.True(surface.Routes.Count(r => r.Dialect == Dialect.Native) >= 25, string.Join("\n", routes));
        Assert.True(surface.Routes.Count(r => r.Dialect == Dialect.Douyin) >= 15, string.Join("\n", routes));
        Assert.True(surface.Routes.Count(r => r.Dialect == Dialect.Ginchat) >= 10, string.Join("\n", routes));
        Assert.Contains(surface.Routes, r => r.ToString() == "POST /api/v1/conversations/{id}/messages" && r.Body.Any(f => f.Name == "clientMsgId"));
        Assert.Contains(surface.Routes, r => r.ToString() == "POST /douyin/comment/action" && r.Query.Any(f => f.Name == "comment_id" && f.UsedWhen == ("action_type", "2")));
        // Every legacy route reads something, and says what: an undeclared parameter would be an untested one.
        Assert.All(surface.Routes.Where(r => r.Dialect is Dialect.Douyin or Dialect.Ginchat), r => Assert.NotEmpty(r.Inputs));
        foreach (var method in new[] { "SendMessage", "MarkRead", "Typing", "Sync", "StartCall", "SendCallSignal", "StopReply" })
            Assert.Contains(surface.HubMethods, m => m.Name == method);
        output.WriteLine($"{surface.Routes.Count} routes, {surface.HubMethods.Count} hub methods; not APIs: {string.Join("; ", surface.NotApis)}");
    }

    [Fact]
    public async Task Searches_take_LIKE_wildcards_and_quotes_literally()
    {
        using var alice = scene.Host.Client(scene.Alice.Token);
        foreach (var text in new[] { "%", "_", "\\", "%_%", "'", "\"", "a%", "_o" })
        {
            var users = await alice.GetFromJsonAsync<JsonElement[]>($"/api/v1/users?search={Uri.EscapeDataString(text)}");
            Assert.All(users!, u => Assert.StartsWith(text, u.GetProperty("username").GetString(), StringComparison.OrdinalIgnoreCase));
            var groups = await alice.GetFromJsonAsync<JsonElement[]>($"/api/v1/groups?search={Uri.EscapeDataString(text)}");
            Assert.All(groups!, g => Assert.Contains(text, g.GetProperty("name").GetString(), StringComparison.OrdinalIgnoreCase));
        }
        // A group whose name holds the wildcards is found by them, and only it.
        using var carol = scene.Host.Client(await scene.FreshTokenAsync(scene.Carol.Id));
        Assert.True((await carol.PostAsJsonAsync("/api/v1/groups", new { name = "100%_sure" })).IsSuccessStatusCode);
        var found = await alice.GetFromJsonAsync<JsonElement[]>("/api/v1/groups?search=0%25_s");
        Assert.Equal("100%_sure", Assert.Single(found!).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Input_no_route_may_accept_is_refused_in_the_route_s_dialect_and_changes_nothing()
    {
        var clock = Stopwatch.StartNew();
        var cases = new CorpusCases(scene);
        var all = scene.Surface.Routes.SelectMany(cases.Refused).Concat(cases.WrongMethods(scene.Surface.Routes)).ToList();
        using var client = CorpusRun.Client(scene.Host.BaseAddress);
        await scene.ReadEverythingAsync(scene.Alice);
        var before = await scene.StateAsync();
        var errors = scene.Errors.Count;

        var run = new CorpusRun();
        await run.SendAsync(client, all, () => Task.FromResult(scene.Alice.Token), parallelism: 8);

        output.WriteLine($"{run.Sent} requests in {clock.Elapsed.TotalSeconds:0.0} s ({run.Tally})");
        Assert.True(run.Failures.Count == 0, $"{run.Failures.Count} wrong answers:\n{string.Join("\n", run.Failures.Take(40))}");
        var after = await scene.StateAsync();
        if (!before.SequenceEqual(after))
            Assert.Fail($"the refused requests changed {string.Join(", ", before.Where(t => after[t.Key] != t.Value).Select(t => t.Key))}; " +
                $"those that change it again, one at a time:\n{string.Join("\n", await WhichChangeState(client, all, scene.Alice.Token))}");
        Assert.True(scene.Errors.Count == errors, $"bad input logged as errors:\n{string.Join("\n", scene.Errors.Skip(errors).Take(5).Select(DialectAnswers.Shorten))}");
        // Alice's token still works: nothing in the corpus ended her session (which would have turned the rest into 401s).
        using var alice = scene.Host.Client(scene.Alice.Token);
        Assert.True((await alice.GetAsync("/api/v1/users/me")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Wrong_arguments_to_every_hub_method_are_refused_the_connection_stays_open_and_nothing_changes()
    {
        var clock = Stopwatch.StartNew();
        var cases = new HubCases(scene);
        var all = scene.Surface.HubMethods.SelectMany(m => cases.Refused(m, scene.Alice)).Concat(HubCases.NotMethods()).ToList();
        await scene.ReadEverythingAsync(scene.Alice);
        var before = await scene.StateAsync();
        var errors = scene.Errors.Count;

        var (sent, failures, accepted) = await InvokeAllAsync(all, scene.Alice.Token, connections: 6);

        output.WriteLine($"{sent} hub invocations in {clock.Elapsed.TotalSeconds:0.0} s ({accepted.Count} accepted: {string.Join("; ", accepted.Take(10))})");
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers:\n{string.Join("\n", failures.Take(40))}");
        var after = await scene.StateAsync();
        Assert.True(before.SequenceEqual(after), $"the refused invocations changed {string.Join(", ", before.Where(t => after[t.Key] != t.Value).Select(t => t.Key))}");
        Assert.True(scene.Errors.Count == errors, $"bad input logged as errors:\n{string.Join("\n", scene.Errors.Skip(errors).Take(5).Select(DialectAnswers.Shorten))}");
    }

    [Fact]
    public async Task Odd_but_possible_text_sent_over_the_hub_is_answered_and_the_connection_stays_open()
    {
        var cases = new HubCases(scene);
        var all = scene.Surface.HubMethods.SelectMany(m => cases.Unusual(m, scene.Carol)).ToList();
        Assert.NotEmpty(all);
        var (sent, failures, _) = await InvokeAllAsync(all, await scene.FreshTokenAsync(scene.Carol.Id), connections: 2);
        output.WriteLine($"{sent} hub invocations");
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers:\n{string.Join("\n", failures.Take(40))}");
    }

    [Fact]
    public async Task A_hub_message_past_the_size_limit_or_outside_the_protocol_is_answered_with_a_close_that_says_so()
    {
        (string Label, string Frame)[] frames =
        [
            ("a 3 MB argument", $"{{\"type\":1,\"invocationId\":\"x\",\"target\":\"Typing\",\"arguments\":[\"{HostileValues.MultiMegabyte}\"]}}"),
            ("not JSON", "{nope"),
            ("an invocation without a target", "{\"type\":1,\"invocationId\":\"x\",\"arguments\":[]}"),
            ("a target that is not text", "{\"type\":1,\"invocationId\":\"x\",\"target\":42,\"arguments\":[]}"),
            ("a stream invocation of a method that does not stream", "{\"type\":4,\"invocationId\":\"x\",\"target\":\"Sync\",\"arguments\":[]}"),
            ("a completion nobody asked for", "{\"type\":3,\"invocationId\":\"x\",\"result\":1}"),
        ];
        foreach (var (label, frame) in frames)
        {
            await using var wire = await HubWire.ConnectAsync(scene.Host.BaseAddress, scene.Alice.Token);
            await wire.SendFrameAsync(frame);
            // The frame is ignored (the connection answers the next call), or SignalR's close message says why: never a connection dropped without a word.
            var answer = await wire.InvokeAsync("Sync", "[]");
            Assert.True(answer.Result is not null || answer.Closed?.StartsWith("Connection closed with an error.", StringComparison.Ordinal) == true, $"{label}: {answer}");
        }
        await using var after = await HubWire.ConnectAsync(scene.Host.BaseAddress, scene.Alice.Token);
        Assert.NotNull((await after.InvokeAsync("Sync", "[]")).Result);
    }

    [Fact]
    public async Task Wrong_frames_on_both_ginchat_sockets_are_answered_in_words_and_change_nothing_but_the_messages_they_send()
    {
        var clock = Stopwatch.StartNew();
        await scene.ReadEverythingAsync(scene.Alice);
        var before = await scene.StateAsync();
        var errors = scene.Errors.Count;
        var sent = 0;
        var accepted = 0;
        foreach (var socket in new[] { GinchatFrames.SendUserMsg, GinchatFrames.SendMsg })
        {
            var frames = GinchatFrames.Wrong(socket, scene).ToList();
            using var ws = new System.Net.WebSockets.ClientWebSocket();
            await ws.ConnectAsync(new UriBuilder(new Uri(scene.Host.BaseAddress, $"{socket}?userId={scene.Alice.Id}&token={scene.Alice.Token}")) { Scheme = "ws" }.Uri,
                CancellationToken.None);
            foreach (var (_, frame) in frames)
                await ws.SendAsync(System.Text.Encoding.UTF8.GetBytes(frame), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
            // A frame past the socket's limit (GoChat:Limits:WebSocketMessageBytes) is answered too, and the socket kept.
            await ws.SendAsync(new byte[70_000], System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
            sent += frames.Count + 1;
            await ws.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

            var refusals = new List<string>();
            while (await ws.ReceiveMessageAsync() is ({ } text, System.Net.WebSockets.WebSocketMessageType.Text))
                refusals.Add(JsonDocument.Parse(text).RootElement.GetProperty("Desc").GetString()!);
            Assert.Contains(refusals, r => r.StartsWith("the message is too large", StringComparison.Ordinal));
            Assert.All(refusals, r => Assert.True(DialectAnswers.Internals(r) is null && r.Length is > 0 and < 1000, r));
            // Every frame was answered with a refusal, or (a wrong value in a field the socket does not read) sent as a message.
            accepted += frames.Count + 1 - refusals.Count;
        }

        output.WriteLine($"{sent} socket frames in {clock.Elapsed.TotalSeconds:0.0} s ({accepted} sent as messages)");
        var after = await scene.StateAsync();
        Assert.True(before.Where(t => t.Key != "messages").SequenceEqual(after.Where(t => t.Key != "messages")),
            $"the frames changed {string.Join(", ", before.Where(t => after[t.Key] != t.Value).Select(t => t.Key))}");
        Assert.Equal(long.Parse(before["messages"].Split(' ')[0]) + accepted, long.Parse(after["messages"].Split(' ')[0]));
        Assert.True(scene.Errors.Count == errors, $"bad input logged as errors:\n{string.Join("\n", scene.Errors.Skip(errors).Take(5).Select(DialectAnswers.Shorten))}");
    }

    /// <summary>
    /// Sends the cases over a few connections at once (a connection runs one invocation at a time);
    /// every invocation must complete (with an error saying why, without internals), and every
    /// connection must still answer Sync at the end.
    /// </summary>
    async Task<(int Sent, IReadOnlyCollection<string> Failures, IReadOnlyCollection<string> Accepted)> InvokeAllAsync(
        IReadOnlyList<HubCase> cases, string token, int connections)
    {
        var failures = new ConcurrentQueue<string>();
        var accepted = new ConcurrentQueue<string>();
        var sent = 0;
        await Parallel.ForEachAsync(cases.Chunk((cases.Count + connections - 1) / connections), async (share, _) =>
        {
            var wire = await HubWire.ConnectAsync(scene.Host.BaseAddress, token);
            try
            {
                foreach (var hubCase in share)
                {
                    Interlocked.Increment(ref sent);
                    var answer = await wire.InvokeAsync(hubCase.Target, hubCase.Arguments);
                    if (answer.Result is not null) accepted.Enqueue(hubCase.Name);
                    if (HubProblem(hubCase, answer) is { } problem) failures.Enqueue($"{hubCase}: {problem}");
                    if (answer.Closed is null && wire.Open) continue;
                    await wire.DisposeAsync();
                    wire = await HubWire.ConnectAsync(scene.Host.BaseAddress, token);
                }
                if (await wire.InvokeAsync("Sync", "[]") is { Result: null } sync) failures.Enqueue($"Sync after the cases: {sync}");
            }
            finally
            {
                await wire.DisposeAsync();
            }
        });
        return (sent, failures, accepted);
    }

    /// <summary>
    /// Null when the hub's answer was right: an error completion in words (SignalR's own wrapper,
    /// "An unexpected error occurred invoking 'X' on the server. HubException: why", is the hub's
    /// dialect, which clients unwrap), or for a message outside the protocol a close saying so.
    /// </summary>
    string? HubProblem(HubCase hubCase, HubAnswer answer) =>
        answer.Closed is { } closed ? hubCase.BreaksProtocol && closed.StartsWith("Connection closed with an error", StringComparison.Ordinal) ? null
            : $"the connection closed ({closed})"
        : answer.Error is { } error ? DialectAnswers.Internals(SignalRWrapper().Replace(error, "")) is { } leak ? $"the error shows internals ('{leak}'): {DialectAnswers.Shorten(error)}"
            // SignalR quotes a name that is no method (bounded by its message size limit, 32 KB); GoChat's own words quote at most 40 characters.
            : error.Length > 1000 && scene.Surface.HubMethods.Any(m => m.Name == hubCase.Target) ? $"a {error.Length}-character error (an echo of the input?)"
            : null
        : null;

    [System.Text.RegularExpressions.GeneratedRegex("^(An unexpected error occurred invoking|Failed to invoke) '[^']*'( on the server| due to an error on the server)\\.( HubException: )?")]
    private static partial System.Text.RegularExpressions.Regex SignalRWrapper();

    /// <summary>For a failure's message: the cases that change the state when sent again alone (slow: two snapshots each).</summary>
    async Task<List<string>> WhichChangeState(HttpClient client, IEnumerable<CorpusCase> cases, string token)
    {
        var culprits = new List<string>();
        var run = new CorpusRun();
        foreach (var corpusCase in cases)
        {
            var before = await scene.StateAsync();
            await run.SendOneAsync(client, corpusCase, token);
            var after = await scene.StateAsync();
            if (!before.SequenceEqual(after))
                culprits.Add($"{corpusCase} changed {string.Join(", ", before.Where(t => after[t.Key] != t.Value).Select(t => t.Key))}");
            if (culprits.Count == 30) break;
        }
        return culprits;
    }

    [Fact]
    public async Task Odd_but_possible_input_is_answered_in_the_route_s_dialect()
    {
        var clock = Stopwatch.StartNew();
        var cases = new CorpusCases(scene);
        // Routes that delete may close the account they are sent as: Erin's, one request at a time.
        var deleting = scene.Surface.Routes.ToLookup(r => r.Path.Contains("delete", StringComparison.OrdinalIgnoreCase));
        using var client = CorpusRun.Client(scene.Host.BaseAddress);

        var run = new CorpusRun();
        // Each request carries a token issued just before it: one of them may change the password.
        await run.SendAsync(client, deleting[false].SelectMany(r => cases.Unusual(r, scene.Carol)), () => scene.FreshTokenAsync(scene.Carol.Id), parallelism: 4);
        await run.SendAsync(client, deleting[true].SelectMany(r => cases.Unusual(r, scene.Erin)), () => scene.FreshTokenAsync(scene.Erin.Id), parallelism: 1);

        output.WriteLine($"{run.Sent} requests in {clock.Elapsed.TotalSeconds:0.0} s ({run.Tally})");
        Assert.True(run.Failures.Count == 0, $"{run.Failures.Count} wrong answers:\n{string.Join("\n", run.Failures.Take(40))}");
    }
}
