using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>The administrators' page in real Chromium: what an administrator does, and what the user it is done to sees.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminBrowserTests(Chromium chromium)
{
    [Fact]
    public Task An_administrator_disables_a_user_on_the_admin_page_and_the_users_open_chat_is_signed_out() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        await host.RegisterAsync("boss", displayName: "Boss"); // the first account: the administrator
        await host.RegisterAsync("dana", displayName: "Dana");
        var dana = await browser.OpenAsync(host.BaseAddress, "dana");
        await dana.LogInAsync("dana");
        // Only administrators are shown the way in, and sent back from it.
        await Expect(dana.Page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true })).ToHaveCountAsync(0);

        var boss = await browser.OpenAsync(host.BaseAddress, "boss");
        await boss.LogInAsync("boss");
        await boss.Page.GetByRole(AriaRole.Link, new() { Name = "Administration", Exact = true }).ClickAsync();
        await Expect(boss.Page).ToHaveURLAsync(new Regex("/admin$"));
        await boss.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search accounts by name", Exact = true }).FillAsync("da");
        await boss.Page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var row = boss.Page.Locator("tr[data-user=dana]");
        await Expect(boss.Page.Locator("tbody tr")).ToHaveCountAsync(1);
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable dana", Exact = true }).ClickAsync();
        await Expect(row).ToContainTextAsync("disabled");
        await Expect(boss.Page.GetByRole(AriaRole.List, new() { Name = "Audit", Exact = true })).ToContainTextAsync("boss disabled dana");

        // Dana's open chat lost its session: the page finds its token refused and returns to the login page.
        await Expect(dana.Page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await dana.Page.GetByLabel("Username", new() { Exact = true }).FillAsync("dana");
        await dana.Page.GetByLabel("Password", new() { Exact = true }).FillAsync("secret-pw");
        await dana.Page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        await Expect(dana.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("disabled by an administrator");

        await row.GetByRole(AriaRole.Button, new() { Name = "Enable dana", Exact = true }).ClickAsync();
        await Expect(row).Not.ToContainTextAsync("disabled");
        await dana.LogInAsync("dana");
        await dana.Page.GotoAsync("/admin");
        await dana.ExpectChatPageAsync();
        Assert.Empty(browser.PageErrors);
    });
}
