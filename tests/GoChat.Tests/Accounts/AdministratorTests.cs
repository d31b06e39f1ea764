using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Grains.Users;
using GoChat.Tests.Bots;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Accounts;

/// <summary>
/// Administrators: who they are (the first account, GoChat:Admins), what they do to accounts
/// (disable, enable, reset a password, grant and revoke the role), the audit of it, and that nobody
/// else can. One host for the class; tests that need an empty server start their own.
/// </summary>
public sealed class AdministratorTests(AccountScene scene) : IClassFixture<AccountScene>
{
    HttpClient Admin() => scene.Client(scene.RootToken);

    static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var body = await AccountScene.Body(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return body;
    }

    [Fact]
    public async Task The_first_account_registered_on_an_empty_server_becomes_its_administrator_and_the_log_says_so()
    {
        Assert.True((await scene.Me(scene.RootToken)).GetProperty("isAdmin").GetBoolean());
        var (_, later) = await scene.Host.RegisterAsync("later-person");
        Assert.False((await scene.Me(later)).GetProperty("isAdmin").GetBoolean());

        var line = Assert.Single(scene.Logs.Lines, l => l.Contains("[9001]"));
        Assert.Contains($"user {scene.RootId} (root)", line);
        using var admin = Admin();
        var audit = (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?limit=200"))!;
        var first = Assert.Single(audit, a => a.GetProperty("target").GetProperty("id").GetInt64() == scene.RootId && a.GetProperty("action").GetString() == "grant-admin");
        Assert.Equal(JsonValueKind.Null, first.GetProperty("actor").ValueKind);
        Assert.Equal("the first account of this server", first.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Of_accounts_registered_at_the_same_moment_on_an_empty_server_exactly_one_becomes_the_administrator()
    {
        await using var host = await GoChatHost.StartAsync();
        using var client = host.Client();
        var registrations = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync("/api/v1/auth/register", new { username = $"racer{i}", password = "racing-pw" })));
        Assert.All(registrations, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var bodies = await Task.WhenAll(registrations.Select(AccountScene.Body));
        Assert.Single(bodies, b => b.GetProperty("user").GetProperty("isAdmin").GetBoolean());
        Assert.Equal(1L, await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM users WHERE is_admin"));

        // Password hashing spreads real registrations out; accounts committed at the very same moment
        // (written here directly) all asking at once still make exactly one administrator: the first.
        await using var empty = await GoChatHost.StartAsync();
        await Sql.ExecuteAsync(empty.ConnectionString,
            "INSERT INTO users (username, display_name, password_hash) SELECT 'same-moment' || i, 'x', 'x' FROM generate_series(1, 16) AS i");
        var ids = (await Sql.ColumnAsync(empty.ConnectionString, "SELECT id FROM users ORDER BY id")).Select(long.Parse).ToList();
        var administrators = empty.Services.GetRequiredService<IGrainFactory>().GetGrain<IAdministratorsGrain>(0);
        var made = await Task.WhenAll(ids.AsEnumerable().Reverse().Select(id => administrators.AccountRegistered(id)));
        Assert.Single(made, m => m);
        Assert.Equal(ids[0].ToString(), Assert.Single(await Sql.ColumnAsync(empty.ConnectionString, "SELECT id FROM users WHERE is_admin")));
    }

    [Fact]
    public async Task GoChat_Admins_makes_the_named_accounts_administrators_at_every_start_once_and_logs_a_name_no_account_holds()
    {
        var logs = new CapturedLogs();
        string connectionString;
        // Configured administrators: the first account is not made one.
        await using (var host = await GoChatHost.StartAsync(null, "--GoChat:Admins=carol, nobody"))
        {
            connectionString = host.ConnectionString;
            var (_, first) = await host.RegisterAsync("first-comer");
            Assert.False((await MeOf(host, first)).GetProperty("isAdmin").GetBoolean());
            await host.RegisterAsync("carol");
        }
        long carolId;
        await using (var host = await GoChatHost.StartAsync(connectionString, logs.AttachTo, "--GoChat:Admins:0=carol", "--GoChat:Admins:1=nobody"))
        {
            var carol = await LoginToken(host, "carol");
            await Eventually(async () => (await MeOf(host, carol)).GetProperty("isAdmin").GetBoolean());
            carolId = (await MeOf(host, carol)).GetProperty("id").GetInt64();
            Assert.Contains(logs.Lines, l => l.Contains("[9020]") && l.Contains("'nobody'"));
            Assert.Contains(logs.Lines, l => l.Contains("[9002]") && l.Contains($"user {carolId} (carol)"));
        }
        await using (var host = await GoChatHost.StartAsync(connectionString, "--GoChat:Admins=carol"))
        {
            var carol = await LoginToken(host, "carol");
            using var client = host.Client(carol);
            Assert.True((await MeOf(host, carol)).GetProperty("isAdmin").GetBoolean());
            await Task.Delay(500); // the start-up work runs in the background: let it find carol an administrator already
            var grants = (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit"))!
                .Where(a => a.GetProperty("target").GetProperty("id").GetInt64() == carolId).ToList();
            var grant = Assert.Single(grants);
            Assert.Equal("grant-admin", grant.GetProperty("action").GetString());
            Assert.Equal("GoChat:Admins", grant.GetProperty("detail").GetString());
        }
    }

    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "GET", "/api/v1/admin/users?search=" },
        { "POST", "/api/v1/admin/users/1/disable" },
        { "POST", "/api/v1/admin/users/1/enable" },
        { "POST", "/api/v1/admin/users/1/reset-password" },
        { "PUT", "/api/v1/admin/users/1/admin" },
        { "DELETE", "/api/v1/admin/users/1/admin" },
        { "GET", "/api/v1/admin/audit" },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Administrator_routes_answer_401_to_anonymous_callers_and_403_to_other_users(string method, string path)
    {
        var (_, user) = await scene.Host.RegisterAsync($"plain-{method}-{path.Split('/')[^1].Split('?')[0]}".ToLowerInvariant());
        using var anonymous = scene.Client();
        using var plain = scene.Client(user);
        Assert.Contains("token", await AccountScene.Problem(await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.Unauthorized));
        Assert.Equal("only administrators may do this",
            await AccountScene.Problem(await plain.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)), HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task Disabling_an_account_ends_its_sessions_and_connections_at_once_and_no_dialect_signs_it_in_until_it_is_enabled()
    {
        var (victimId, victim) = await scene.Host.RegisterAsync("victim", "victim-pw");
        await using var live = await LiveConnections.OpenAsync(scene.Host, victimId, victim);
        using var admin = Admin();

        var disabled = await Ok(await admin.PostAsync($"/api/v1/admin/users/{victimId}/disable", null));
        Assert.True(disabled.GetProperty("disabled").GetBoolean());
        await live.AssertClosedPromptly();
        using (var old = scene.Client(victim))
            await AccountScene.Problem(await old.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);

        Assert.Contains("disabled by an administrator", await AccountScene.Problem(await scene.Login("victim", "victim-pw"), HttpStatusCode.Forbidden));
        // A wrong password is just wrong: a guesser does not learn that the account is disabled.
        Assert.Contains("wrong password", await AccountScene.Problem(await scene.Login("victim", "guess-pw"), HttpStatusCode.Unauthorized));
        using var anonymous = scene.Client();
        var douyin = await AccountScene.DouyinLogin(anonymous, "victim", "victim-pw");
        Assert.Equal(3, douyin.GetProperty("status_code").GetInt32());
        Assert.Contains("disabled", douyin.GetProperty("status_msg").GetString());
        var ginchat = await AccountScene.GinchatLogin(anonymous, "victim", "victim-pw");
        Assert.Equal(-1, ginchat.GetProperty("code").GetInt32());
        Assert.Contains("disabled", ginchat.GetProperty("message").GetString());

        Assert.False((await Ok(await admin.PostAsync($"/api/v1/admin/users/{victimId}/enable", null))).GetProperty("disabled").GetBoolean());
        await scene.Token("victim", "victim-pw");
    }

    [Fact]
    public async Task Administrators_act_on_other_live_accounts_only()
    {
        var (otherAdminId, _) = await scene.Host.RegisterAsync("other-admin");
        using var admin = Admin();
        await Ok(await admin.PutAsync($"/api/v1/admin/users/{otherAdminId}/admin", null));

        Assert.Contains("other accounts", await AccountScene.Problem(await admin.PostAsync($"/api/v1/admin/users/{scene.RootId}/disable", null), HttpStatusCode.BadRequest));
        Assert.Contains("revoke their administrator role first",
            await AccountScene.Problem(await admin.PostAsync($"/api/v1/admin/users/{otherAdminId}/disable", null), HttpStatusCode.Conflict));
        foreach (var (method, action) in new[] { ("POST", "disable"), ("POST", "enable"), ("POST", "reset-password"), ("PUT", "admin"), ("DELETE", "admin") })
            Assert.Contains("no user", await AccountScene.Problem(
                await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v1/admin/users/987654321/{action}")), HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/admin/users/not-a-number/disable", null)).StatusCode);
        await Ok(await admin.DeleteAsync($"/api/v1/admin/users/{otherAdminId}/admin"));
    }

    [Fact]
    public async Task A_reset_password_is_shown_once_ends_every_session_and_must_be_replaced_before_anything_else()
    {
        var (userId, token) = await scene.Host.RegisterAsync("forgetful", "forgotten-pw");
        await using var live = await LiveConnections.OpenAsync(scene.Host, userId, token);
        using var admin = Admin();

        var response = await admin.PostAsync($"/api/v1/admin/users/{userId}/reset-password", null);
        var reset = await Ok(response);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var oneTime = reset.GetProperty("oneTimePassword").GetString()!;
        Assert.True(oneTime.Length >= 12);
        await live.AssertClosedPromptly();
        Assert.Contains("wrong password", await AccountScene.Problem(await scene.Login("forgetful", "forgotten-pw"), HttpStatusCode.Unauthorized));

        // douyin and ginchat cannot ask for a new password: they refuse and say where to choose it.
        using var anonymous = scene.Client();
        var douyin = await AccountScene.DouyinLogin(anonymous, "forgetful", oneTime);
        Assert.Equal(3, douyin.GetProperty("status_code").GetInt32());
        Assert.Contains("POST /api/v1/users/me/password", douyin.GetProperty("status_msg").GetString());
        Assert.Contains("choose a new one", (await AccountScene.GinchatLogin(anonymous, "forgetful", oneTime)).GetProperty("message").GetString());

        // Natively the sign-in succeeds, says so, and the session may only read itself and change the password.
        var signedIn = await Ok(await scene.Login("forgetful", oneTime));
        Assert.True(signedIn.GetProperty("mustChangePassword").GetBoolean());
        var limited = signedIn.GetProperty("token").GetString()!;
        Assert.True((await scene.Me(limited)).GetProperty("mustChangePassword").GetBoolean());
        using (var client = scene.Client(limited))
        {
            Assert.Contains("choose a new one", await AccountScene.Problem(await client.GetAsync("/api/v1/conversations"), HttpStatusCode.Forbidden));
            Assert.Contains("choose a new one", await AccountScene.Problem(await client.PatchAsJsonAsync("/api/v1/users/me", new { displayName = "x" }), HttpStatusCode.Forbidden));
            await Assert.ThrowsAnyAsync<Exception>(() => ChatClient.ConnectAsync(scene.Host, limited));
            var legacy = await LegacyDialectAccountTests.Ginchat(anonymous, "/user/getUserList", new() { ["token"] = limited });
            Assert.Contains("choose a new one", legacy.GetProperty("message").GetString());

            Assert.Contains("currentPassword", await AccountScene.Problem(
                await client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = "not-it", newPassword = "fresh-password" }), HttpStatusCode.Forbidden));
            Assert.Contains("differ", await AccountScene.Problem(
                await client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = oneTime, newPassword = oneTime }), HttpStatusCode.BadRequest));
            var changed = await Ok(await client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = oneTime, newPassword = "fresh-password" }));
            Assert.False(changed.GetProperty("mustChangePassword").GetBoolean());
            using var settled = scene.Client(changed.GetProperty("token").GetString());
            Assert.Equal(HttpStatusCode.OK, (await settled.GetAsync("/api/v1/conversations")).StatusCode);
        }
        Assert.Contains("wrong password", await AccountScene.Problem(await scene.Login("forgetful", oneTime), HttpStatusCode.Unauthorized));
        await scene.Token("forgetful", "fresh-password");
    }

    [Fact]
    public async Task Granting_and_revoking_the_administrator_role_never_leaves_the_server_without_one()
    {
        await using var host = await GoChatHost.StartAsync();
        var (firstId, first) = await host.RegisterAsync("founder");
        var (helperId, helper) = await host.RegisterAsync("helper");
        using var founder = host.Client(first);
        using var helping = host.Client(helper);
        Assert.Equal(HttpStatusCode.Forbidden, (await helping.GetAsync("/api/v1/admin/users")).StatusCode);

        Assert.True((await Ok(await founder.PutAsync($"/api/v1/admin/users/{helperId}/admin", null))).GetProperty("isAdmin").GetBoolean());
        Assert.True((await MeOf(host, helper)).GetProperty("isAdmin").GetBoolean());
        await Ok(await helping.GetAsync("/api/v1/admin/users"));
        await Ok(await founder.PutAsync($"/api/v1/admin/users/{helperId}/admin", null)); // granting twice is a no-op

        await Ok(await helping.DeleteAsync($"/api/v1/admin/users/{firstId}/admin"));
        Assert.Equal(HttpStatusCode.Forbidden, (await founder.GetAsync("/api/v1/admin/users")).StatusCode);
        Assert.Contains("last administrator", await AccountScene.Problem(await helping.DeleteAsync($"/api/v1/admin/users/{helperId}/admin"), HttpStatusCode.Conflict));
        // Nor does the last one delete their account.
        Assert.Contains("last administrator", await AccountScene.Problem(await helping.SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, "/api/v1/users/me") { Content = JsonContent.Create(new { password = "secret-pw" }) }), HttpStatusCode.Conflict));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM users WHERE is_admin"));
    }

    [Fact]
    public async Task The_audit_lists_every_administrators_action_with_who_what_when_and_whom_newest_first_in_pages()
    {
        var (subjectId, _) = await scene.Host.RegisterAsync("audited");
        using var admin = Admin();
        var before = DateTime.UtcNow.AddSeconds(-5);
        foreach (var (method, action) in new[] { ("POST", "disable"), ("POST", "enable"), ("POST", "reset-password"), ("PUT", "admin"), ("DELETE", "admin") })
            await Ok(await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v1/admin/users/{subjectId}/{action}")));

        var all = (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?limit=200"))!
            .Where(a => a.GetProperty("target").GetProperty("id").GetInt64() == subjectId).ToList();
        Assert.Equal(new[] { "revoke-admin", "grant-admin", "reset-password", "enable", "disable" }, all.Select(a => a.GetProperty("action").GetString()).ToArray());
        Assert.All(all, a =>
        {
            Assert.Equal(scene.RootId, a.GetProperty("actor").GetProperty("id").GetInt64());
            Assert.Equal("root", a.GetProperty("actor").GetProperty("username").GetString());
            Assert.Equal("audited", a.GetProperty("target").GetProperty("username").GetString());
            Assert.InRange(a.GetProperty("at").GetDateTime().ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(5));
        });
        Assert.DoesNotContain(all, a => a.ToString().Contains("oneTime", StringComparison.OrdinalIgnoreCase));

        var firstPage = (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/audit?limit=2"))!;
        Assert.Equal(2, firstPage.Length);
        var next = (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/admin/audit?limit=2&before={firstPage[1].GetProperty("id").GetInt64()}"))!;
        Assert.True(next[0].GetProperty("id").GetInt64() < firstPage[1].GetProperty("id").GetInt64());
        Assert.Contains("limit", await AccountScene.Problem(await admin.GetAsync("/api/v1/admin/audit?limit=0"), HttpStatusCode.BadRequest));
        Assert.Contains("before", await AccountScene.Problem(await admin.GetAsync("/api/v1/admin/audit?before=-3"), HttpStatusCode.BadRequest));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/admin/audit?before=abc")).StatusCode);
    }

    [Fact]
    public async Task Administrators_find_every_account_by_name_prefix_disabled_and_deleted_ones_included()
    {
        var (disabledId, _) = await scene.Host.RegisterAsync("findme-disabled");
        var (deletedId, _) = await scene.Host.RegisterAsync("findme-deleted", "deleted-pw");
        await scene.Host.RegisterAsync("findme-plain");
        using var admin = Admin();
        await Ok(await admin.PostAsync($"/api/v1/admin/users/{disabledId}/disable", null));
        using (var leaving = scene.Client(await scene.Token("findme-deleted", "deleted-pw")))
            Assert.Equal(HttpStatusCode.NoContent, (await leaving.SendAsync(
                new HttpRequestMessage(HttpMethod.Delete, "/api/v1/users/me") { Content = JsonContent.Create(new { password = "deleted-pw" }) })).StatusCode);

        var found = (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/users?search=FINDME-"))!;
        Assert.Equal(new[] { "findme-deleted", "findme-disabled", "findme-plain" }, found.Select(u => u.GetProperty("username").GetString()).ToArray());
        Assert.True(found.Single(u => u.GetProperty("id").GetInt64() == disabledId).GetProperty("disabled").GetBoolean());
        var deleted = found.Single(u => u.GetProperty("id").GetInt64() == deletedId);
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("Deleted user", deleted.GetProperty("displayName").GetString());
        // The account's state, never its credentials or private fields.
        Assert.All(found, u => Assert.Equal(
            new[] { "id", "username", "displayName", "isBot", "isAdmin", "disabled", "mustChangePassword", "deleted", "createdAt", "lastSignInAt" },
            u.EnumerateObject().Select(p => p.Name).ToArray()));
        Assert.Contains("limit", await AccountScene.Problem(await admin.GetAsync("/api/v1/admin/users?limit=101"), HttpStatusCode.BadRequest));
        Assert.Contains("search", await AccountScene.Problem(await admin.GetAsync($"/api/v1/admin/users?search={new string('a', 40)}"), HttpStatusCode.BadRequest));
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/users?search=%25"))!);
    }

    static async Task<JsonElement> MeOf(GoChatHost host, string token)
    {
        using var client = host.Client(token);
        return (await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me"))!;
    }

    static async Task<string> LoginToken(GoChatHost host, string username)
    {
        using var client = host.Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "secret-pw" });
        return (await AccountScene.Body(response)).GetProperty("token").GetString()!;
    }

    static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 20 s");
            await Task.Delay(100);
        }
    }
}
