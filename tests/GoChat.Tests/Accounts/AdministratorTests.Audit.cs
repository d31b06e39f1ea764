using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GoChat.Tests.Accounts;

/// <summary>What administrators see: the audit of their actions and every account by name.</summary>
public sealed partial class AdministratorTests
{
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
}
