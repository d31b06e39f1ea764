using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>The Account dialog in real Chromium: a person's own account over its life, checked against the API.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountBrowserTests(Chromium chromium)
{
    const string ApiAgent = "GoChatTest/1.0";

    [Fact]
    public Task A_person_changes_the_password_ends_another_session_downloads_their_data_and_deletes_the_account_in_the_browser() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        await host.RegisterAsync("boss"); // the first account, the administrator: not the one deleted here
        var (rosaId, _) = await host.RegisterAsync("rosa", displayName: "Rosa");
        var (_, tessToken) = await host.RegisterAsync("tess", displayName: "Tess");
        // At phone width: one pane at a time, the dialog scrolls.
        var rosa = await browser.OpenAsync(host.BaseAddress, "rosa", BrowserScope.Phone, ColorScheme.Dark);
        await rosa.LogInAsync("rosa");
        await rosa.StartDirectChatAsync("tess", "Tess");
        await rosa.SendAsync("before the new password");
        await rosa.Page.GetByRole(AriaRole.Button, new() { Name = "Back", Exact = true }).ClickAsync();

        // A new password: the page goes on with the replacement token, its live link reconnects with it.
        var account = await OpenAccountAsync(rosa);
        await account.GetByLabel("Current password", new() { Exact = true }).FillAsync("secret-pw");
        await account.GetByLabel("New password", new() { Exact = true }).FillAsync("rosa-new-pw");
        await account.GetByLabel("New password again", new() { Exact = true }).FillAsync("rosa-new-pw");
        await account.GetByRole(AriaRole.Button, new() { Name = "Change password", Exact = true }).ClickAsync();
        await Expect(account.GetByRole(AriaRole.Status)).ToContainTextAsync("Password changed");
        Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(host, "rosa", "secret-pw")).StatusCode);
        using var signedIn = await LogInAsync(host, "rosa", "rosa-new-pw");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var otherToken = (await signedIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        await account.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await rosa.ExpectChatPageAsync();
        await rosa.OpenConversationAsync("Tess");
        await rosa.SendAsync("after the new password");
        // The live link is back too (its old connection was closed with the old token): Tess's answer arrives.
        using (var tess = host.Client(tessToken))
        {
            var direct = await (await tess.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = rosaId })).Content.ReadFromJsonAsync<JsonElement>();
            var sent = await tess.PostAsJsonAsync($"/api/v1/conversations/{Uri.EscapeDataString(direct.GetProperty("id").GetString()!)}/messages",
                new { clientMsgId = "tess-1", kind = "text", text = "still here?" });
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }
        await rosa.ExpectMessageAsync("still here?");
        await rosa.Page.GetByRole(AriaRole.Button, new() { Name = "Back", Exact = true }).ClickAsync();

        // Two sessions: this page's, marked, and the API's sign-in just now, which is ended here.
        account = await OpenAccountAsync(rosa);
        var sessions = account.GetByRole(AriaRole.List, new() { Name = "Sessions", Exact = true }).GetByRole(AriaRole.Listitem);
        await Expect(sessions).ToHaveCountAsync(2);
        await Expect(sessions.Filter(new() { HasText = "This device" })).ToHaveCountAsync(1);
        await sessions.GetByRole(AriaRole.Button, new() { Name = $"End session: {ApiAgent}, 127.0.0.1", Exact = true }).ClickAsync();
        await Expect(sessions).ToHaveCountAsync(1);
        await Expect(sessions).ToContainTextAsync("This device");
        using (var ended = host.Client(otherToken))
            Assert.Equal(HttpStatusCode.Unauthorized, (await ended.GetAsync("/api/v1/users/me")).StatusCode);

        // The export, fetched with the token and saved through a blob: URL under the page's policy.
        var download = await rosa.Page.RunAndWaitForDownloadAsync(() =>
            account.GetByRole(AriaRole.Button, new() { Name = "Download my data", Exact = true }).ClickAsync());
        Assert.Equal($"gochat-export-{rosaId}.json", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), $"gochat-export-{Guid.NewGuid():N}.json");
        await download.SaveAsAsync(saved);
        using (var export = JsonDocument.Parse(await File.ReadAllTextAsync(saved)))
        {
            Assert.Equal("rosa", export.RootElement.GetProperty("profile").GetProperty("username").GetString());
            var texts = export.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
            Assert.Contains("before the new password", texts);
            Assert.Contains("after the new password", texts);
        }
        File.Delete(saved);

        // Deleting asks for the password; a wrong one is refused in the server's words.
        await account.GetByRole(AriaRole.Button, new() { Name = "Delete account…", Exact = true }).ClickAsync();
        var confirm = rosa.Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete account", Exact = true });
        await confirm.GetByLabel("Password", new() { Exact = true }).FillAsync("secret-pw");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete my account", Exact = true }).ClickAsync();
        await Expect(confirm.GetByRole(AriaRole.Alert)).ToContainTextAsync("password is not this account's password");
        await confirm.GetByLabel("Password", new() { Exact = true }).FillAsync("rosa-new-pw");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete my account", Exact = true }).ClickAsync();

        await Expect(rosa.Page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true })).ToBeVisibleAsync();
        await Expect(rosa.Page).ToHaveURLAsync(new Regex("/$"));
        await Expect(rosa.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your account was deleted.");
        Assert.False((await LogInAsync(host, "rosa", "rosa-new-pw")).IsSuccessStatusCode);
        Assert.Empty(browser.PageErrors);
    });

    /// <summary>Profile, then its Account link: the dialog named Account.</summary>
    static async Task<ILocator> OpenAccountAsync(ChatPage page)
    {
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Profile", Exact = true }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Dialog, new() { Name = "Profile", Exact = true })
            .GetByRole(AriaRole.Button, new() { Name = "Account", Exact = true }).ClickAsync();
        var account = page.Page.GetByRole(AriaRole.Dialog, new() { Name = "Account", Exact = true });
        await Expect(account).ToBeVisibleAsync();
        return account;
    }

    /// <summary>A sign-in through the API, as another device would (its own user agent, so its session is told apart).</summary>
    static async Task<HttpResponseMessage> LogInAsync(GoChatHost host, string username, string password)
    {
        using var client = host.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(ApiAgent);
        return await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
    }
}
