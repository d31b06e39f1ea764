using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace GoChat.Tests.Operations;

/// <summary>
/// A grain on another silo that meets the database away answers the client "try again" in its
/// dialect, as a grain on the WebFront's own silo does: the error crosses between silos. So does a
/// grain on a silo that has just died.
/// </summary>
public sealed class CrossSiloFailureTests
{
    const string TryAgain = "the database is not reachable just now; try again";
    const string HeadlessApp = "gochat-headless";

    [Fact]
    public async Task A_grain_on_another_silo_that_meets_the_database_away_answers_try_again_in_every_dialect()
    {
        await using var webFront = await GoChatHost.StartAsync();
        // The headless silo's sessions are told apart by their application name, so the test can end only theirs.
        using var headless = await GoChat.Silo.Program.CreateAsync(
            [$"--ConnectionStrings:GoChat={webFront.ConnectionString};Application Name={HeadlessApp}", "--Logging:LogLevel:Default=Warning", "--GoChat:Silo:Port=0"]);
        await headless.StartAsync();
        try
        {
            await WaitForActiveSilosAsync(webFront, 2);
            var headlessSilo = headless.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var grains = webFront.Services.GetRequiredService<IGrainFactory>();
            var management = grains.GetGrain<IManagementGrain>(0);

            var users = new List<(long Id, string Name, string Token)>();
            for (var i = 0; i < 12; i++)
            {
                var (id, token) = await webFront.RegisterAsync($"far_{i}");
                users.Add((id, $"far_{i}", token));
            }
            // Activated from the headless silo, the users' grains are placed there (placement prefers the
            // calling silo), each reading its row through that silo's pool; take one that is.
            var fromHeadless = headless.Services.GetRequiredService<IGrainFactory>();
            foreach (var user in users) await fromHeadless.GetGrain<IUserGrain>(user.Id).GetProfile();
            var far = await FirstOnAsync(management, headlessSilo, users, u => grains.GetGrain<IUserGrain>(u.Id));
            using var http = webFront.Client();

            // Native: signing in records the sign-in through the user's grain, on the headless silo.
            await EndHeadlessSessionsAsync(webFront);
            var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = far.Name, password = "secret-pw" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
            Assert.Equal("application/problem+json", login.Content.Headers.ContentType?.MediaType);
            Assert.True(login.Headers.Contains("Retry-After"));
            Assert.Equal(TryAgain, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            // The failure emptied the headless silo's pool: the retry is served.
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/v1/auth/login", new { username = far.Name, password = "secret-pw" })).StatusCode);

            // Douyin: the same sign-in, in its envelope.
            await EndHeadlessSessionsAsync(webFront);
            var douyin = await (await http.PostAsync($"/douyin/user/login/?username={far.Name}&password=secret-pw", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(503, douyin.GetProperty("status_code").GetInt32());
            Assert.Equal(TryAgain, douyin.GetProperty("status_msg").GetString());

            // Hub: marking a conversation read stores the read position through the conversation's grain
            // (only a mark that moves it forward writes: the reader sends three messages to have some to mark).
            // Placement weighs the silos' load and may put them all on the WebFront's silo: ask for the headless one.
            var pairs = users.SelectMany(a => users.Where(b => b.Id > a.Id).Select(b => (Reader: a, Id: $"d:{a.Id}:{b.Id}"))).Take(12).ToList();
            RequestContext.Set(IPlacementDirector.PlacementHintKey, headlessSilo);
            try
            {
                foreach (var pair in pairs) await fromHeadless.GetGrain<IConversationGrain>(pair.Id).IsMember(pair.Reader.Id);
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }
            var conversation = await FirstOnAsync(management, headlessSilo, pairs, p => grains.GetGrain<IConversationGrain>(p.Id));
            await using var reader = await ChatClient.ConnectAsync(webFront, conversation.Reader.Token);
            for (var i = 1; i <= 3; i++) await reader.Send(conversation.Id, $"m{i}", $"message {i}");
            await reader.Connection.InvokeAsync("MarkRead", conversation.Id, 1L);

            await EndHeadlessSessionsAsync(webFront);
            var refused = await Assert.ThrowsAsync<HubException>(() => reader.Connection.InvokeAsync("MarkRead", conversation.Id, 2L));
            Assert.Contains(TryAgain, refused.Message);
            await reader.Connection.InvokeAsync("MarkRead", conversation.Id, 2L);
        }
        finally
        {
            await headless.StopAsync();
        }
    }

    [Fact]
    public async Task Calls_to_grains_on_a_silo_that_just_died_answer_try_again_in_every_dialect()
    {
        const string NodeAway = "a server of the cluster is not reachable just now; try again";
        // The calls below must all fall in the moments before the cluster declares the silo dead (about 1.5 s
        // by default, then its grains are placed again and answer): slow membership makes that window wide.
        string[] slowMembership = ["--GoChat:Membership:ProbeTimeout=00:00:10", "--GoChat:Membership:TableRefreshTimeout=00:00:30",
            "--GoChat:Membership:DeathVoteExpirationTimeout=00:03:00"];
        await using var webFront = await GoChatHost.StartAsync(null, slowMembership);
        using var headless = await HeadlessSiloProcess.StartAsync(webFront, slowMembership);
        var grains = webFront.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);

        var (nearId, nearToken) = await webFront.RegisterAsync("near_nina");
        var (otherId, _) = await webFront.RegisterAsync("near_otto");
        string farToken;
        await grains.GetGrain<IUserGrain>(nearId).GetProfile();
        await grains.GetGrain<IUserGrain>(otherId).GetProfile();
        // Fred's grain and Nina's conversation with Otto are placed on the headless silo (a placement hint).
        // Registering would activate Fred's grain here (it keeps his session), and it does not reliably
        // deactivate on request: his account is created without a session, his grain first called with
        // the hint, and he signs in afterwards to have a token (answered by his grain over there).
        var accounts = webFront.Services.GetRequiredService<GoChat.WebFront.Accounts.AccountService>();
        long farId = 0;
        await WithHint(headless.Address, async () => farId = (await accounts.CreateAccount("far_fred", "secret-pw", null)).Value!.Id);
        var fred = grains.GetGrain<IUserGrain>(farId);
        await WithHint(headless.Address, () => fred.GetProfile());
        using (var signIn = webFront.Client())
        {
            var signedIn = await signIn.PostAsJsonAsync("/api/v1/auth/login", new { username = "far_fred", password = "secret-pw" });
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            farToken = (await signedIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        }
        var conversationId = $"d:{Math.Min(nearId, otherId)}:{Math.Max(nearId, otherId)}";
        await WithHint(headless.Address, () => grains.GetGrain<IConversationGrain>(conversationId).IsMember(nearId));
        Assert.Equal(headless.Address, await management.GetActivationAddress(fred));
        Assert.Equal(headless.Address, await management.GetActivationAddress(grains.GetGrain<IConversationGrain>(conversationId)));
        await using var nina = await ChatClient.ConnectAsync(webFront, nearToken);
        await nina.Connection.InvokeAsync("MarkRead", conversationId, 0L);

        // The headless silo dies. Until the cluster declares it dead (seconds), its grains cannot be reached.
        headless.Kill();
        using var http = webFront.Client();
        var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = "far_fred", password = "secret-pw" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.True(login.Headers.Contains("Retry-After"));
        Assert.Equal(NodeAway, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var douyin = await (await http.PostAsync("/douyin/user/login/?username=far_fred&password=secret-pw", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, douyin.GetProperty("status_code").GetInt32());
        Assert.Equal(NodeAway, douyin.GetProperty("status_msg").GetString());

        // Connecting checks the token through Fred's grain: the hub's negotiation answers 503, not 500.
        var connect = await Assert.ThrowsAsync<HttpRequestException>(() => ChatClient.ConnectAsync(webFront, farToken));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, connect.StatusCode);

        var refused = await Assert.ThrowsAsync<HubException>(() => nina.Connection.InvokeAsync("MarkRead", conversationId, 0L));
        Assert.Contains(NodeAway, refused.Message);
    }

    static async Task<T> FirstOnAsync<T>(IManagementGrain management, SiloAddress silo, IEnumerable<T> candidates, Func<T, IAddressable> grain)
    {
        var seen = new List<string>();
        foreach (var candidate in candidates)
        {
            var at = await management.GetActivationAddress(grain(candidate));
            if (silo.Equals(at)) return candidate;
            seen.Add(at?.ToString() ?? "null");
        }
        Assert.Fail($"none of the grains was placed on {silo}: {string.Join(", ", seen)}");
        return default!;
    }

    static Task EndHeadlessSessionsAsync(GoChatHost host) => Sql.ScalarAsync<bool>(host.ConnectionString, $"""
        SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = '{HeadlessApp}'
        """);

    static async Task WaitForActiveSilosAsync(GoChatHost host, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long active;
        do
        {
            // Status 3 = Active in the Orleans membership table.
            active = await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3");
            if (active == count) return;
            await Task.Delay(250);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(count, active);
    }

    /// <summary>Runs a grain call whose activation, if it makes one, is placed on the silo the placement hint names.</summary>
    static async Task WithHint<T>(SiloAddress silo, Func<Task<T>> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try { await call(); }
        finally { RequestContext.Clear(); }
    }
}
