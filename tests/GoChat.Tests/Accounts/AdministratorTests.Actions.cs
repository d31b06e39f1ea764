using System.Net;
using System.Net.Http.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Accounts;

/// <summary>What administrators do to accounts (disable, enable, reset a password), on whom, and that nobody else can.</summary>
public sealed partial class AdministratorTests
{
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
}
