using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>What the page shows: message text that never runs as markup, and one pane at a time on a phone.</summary>
public sealed partial class WebClientTests
{
    [Fact]
    public Task Markup_in_a_message_shows_as_text_and_never_runs() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, quinnToken) = await host.RegisterAsync("quinn", displayName: "Quinn");
        var (rosaId, _) = await host.RegisterAsync("rosa", displayName: "<b>Rosa</b>");
        var conversation = await StartConversationAsync(host, quinnToken, rosaId, "hello");

        var rosa = await browser.OpenAsync(host.BaseAddress, "rosa");
        await rosa.LogInAsync("rosa");
        await rosa.OpenConversationAsync("Quinn");
        var quinn = await browser.OpenAsync(host.BaseAddress, "quinn");
        await quinn.LogInAsync("quinn");
        await quinn.OpenConversationAsync("<b>Rosa</b>"); // a display name with markup is a title like any other

        const string attack = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script> <b>bold?</b>";
        await quinn.SendAsync(attack);
        await rosa.ExpectMessageAsync(attack);
        const string link = "docs at https://example.org/guide?a=1&b=2 and javascript:alert(1)";
        await quinn.SendAsync(link);
        await rosa.ExpectMessageAsync(link);

        foreach (var page in new[] { rosa, quinn })
        {
            Assert.Equal(0, await page.Messages.Locator("img[src='x'], script, b").CountAsync());
            Assert.True(await page.Page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
            // the http link is clickable and opens safely elsewhere; the javascript: text is not a link
            var anchors = page.Messages.Locator("a[href^='https://example.org/guide']");
            await Expect(anchors).ToHaveCountAsync(1);
            await Expect(anchors).ToHaveAttributeAsync("href", "https://example.org/guide?a=1&b=2");
            await Expect(anchors).ToHaveAttributeAsync("rel", new System.Text.RegularExpressions.Regex("noopener"));
            Assert.Equal(0, await page.Messages.Locator("a[href^='javascript']").CountAsync());
        }
        Assert.Empty(browser.PageErrors);
        _ = conversation;
    });

    [Fact]
    public Task On_a_phone_one_pane_shows_at_a_time() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, samToken) = await host.RegisterAsync("sam", displayName: "Sam");
        var (tessId, _) = await host.RegisterAsync("tess", displayName: "Tess");
        await StartConversationAsync(host, samToken, tessId, "pocket-sized hello");

        var tess = await browser.OpenAsync(host.BaseAddress, "tess", BrowserScope.Phone, ColorScheme.Dark);
        await tess.LogInAsync("tess");
        await Expect(tess.Conversations).ToBeVisibleAsync();
        await Expect(tess.Messages).Not.ToBeVisibleAsync();

        await tess.OpenConversationAsync("Sam");
        await Expect(tess.Conversations).Not.ToBeVisibleAsync();
        await tess.ExpectMessageAsync("pocket-sized hello");
        await tess.SendAsync("typed on a phone");
        // nothing overflows sideways on a narrow screen
        Assert.True(await tess.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

        await tess.Page.GetByRole(AriaRole.Button, new() { Name = "Back", Exact = true }).ClickAsync();
        await Expect(tess.Conversations).ToBeVisibleAsync();
        await Expect(tess.Messages).Not.ToBeVisibleAsync();
        Assert.Empty(browser.PageErrors);
    });
}
