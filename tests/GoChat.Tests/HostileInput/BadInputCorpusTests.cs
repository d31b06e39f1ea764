using System.Diagnostics;
using GoChat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GoChat.Tests.HostileInput;

/// <summary>
/// The bad-input corpus (docs/testing-security.md): every HTTP route of the three dialects, every
/// hub method and both ginchat sockets, enumerated from the running app (<see cref="ApiSurface"/>),
/// get input no client should send. Every answer is in its dialect, never a 5xx or a dropped
/// connection, never a trace of the server's internals; input that must be refused changes nothing.
/// </summary>
public sealed class BadInputCorpusTests(CorpusScene scene, ITestOutputHelper output) : IClassFixture<CorpusScene>
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
    public async Task Input_no_route_may_accept_is_refused_in_the_route_s_dialect_and_changes_nothing()
    {
        var clock = Stopwatch.StartNew();
        var cases = new CorpusCases(scene);
        var all = scene.Surface.Routes.SelectMany(cases.Refused).Concat(cases.WrongMethods(scene.Surface.Routes)).ToList();
        using var client = CorpusRun.Client(scene.Host.BaseAddress);
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
        // Closing Carol's account ends the rest: routes that delete go last.
        var all = scene.Surface.Routes.OrderBy(r => r.Path.Contains("delete", StringComparison.OrdinalIgnoreCase)).SelectMany(cases.Unusual).ToList();
        using var client = CorpusRun.Client(scene.Host.BaseAddress);

        var run = new CorpusRun();
        await run.SendAsync(client, all, () => scene.FreshTokenAsync(scene.Carol.Id), parallelism: 1);

        output.WriteLine($"{run.Sent} requests in {clock.Elapsed.TotalSeconds:0.0} s ({run.Tally})");
        Assert.True(run.Failures.Count == 0, $"{run.Failures.Count} wrong answers:\n{string.Join("\n", run.Failures.Take(40))}");
    }
}
