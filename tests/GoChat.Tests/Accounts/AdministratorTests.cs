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
public sealed partial class AdministratorTests(AccountScene scene) : IClassFixture<AccountScene>
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
