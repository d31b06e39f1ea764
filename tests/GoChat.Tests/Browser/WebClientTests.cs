using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>
/// The web client in real Chromium against a real GoChat (Kestrel, Orleans, PostgreSQL): what a
/// person does, found by the accessible names the client promises.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WebClientTests(Chromium chromium)
{
    [Fact]
    public Task Two_people_register_in_the_browser_and_chat_live_both_ways() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var ann = await browser.OpenAsync(host.BaseAddress, "ann");
        var ben = await browser.OpenAsync(host.BaseAddress, "ben");
        await ann.RegisterAsync("ann", "ann-secret-1");
        await ben.RegisterAsync("ben", "ben-secret-1");

        await ann.StartDirectChatAsync("ben", "ben");
        await ann.SendAsync("Hi Ben, lunch at noon?");

        // Ben did nothing but keep the page open: the conversation arrives live, unread, at the top.
        await Expect(ben.Conversation("ann")).ToBeVisibleAsync();
        await Expect(ben.Conversation("ann")).ToContainTextAsync("Hi Ben, lunch at noon?");
        await ben.OpenConversationAsync("ann");
        await ben.ExpectMessageAsync("Hi Ben, lunch at noon?");
        await ben.SendAsync("Noon works!");
        await ann.ExpectMessageAsync("Noon works!");

        // Shift+Enter adds a line instead of sending.
        await ann.Composer.FillAsync("first line");
        await ann.Composer.PressAsync("Shift+Enter");
        await ann.Composer.PressSequentiallyAsync("second line");
        await Expect(ann.Composer).ToHaveValueAsync("first line\nsecond line");
        await ann.SendButton.ClickAsync();
        await Expect(ben.Messages).ToContainTextAsync("second line");
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task A_group_of_three_sees_each_others_messages_live() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, ownerToken) = await host.RegisterAsync("gina", displayName: "Gina");
        var (hugoId, _) = await host.RegisterAsync("hugo", displayName: "Hugo");
        var (ivyId, _) = await host.RegisterAsync("ivy", displayName: "Ivy");
        using (var gina = host.Client(ownerToken))
        {
            var created = await gina.PostAsJsonAsync("/api/v1/groups", new { name = "Climbing Crew", memberIds = new[] { hugoId, ivyId } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var pages = new List<ChatPage>();
        foreach (var name in new[] { "gina", "hugo", "ivy" })
        {
            var page = await browser.OpenAsync(host.BaseAddress, name);
            await page.LogInAsync(name);
            await page.OpenConversationAsync("Climbing Crew");
            pages.Add(page);
        }

        for (var i = 0; i < pages.Count; i++)
        {
            var text = $"{pages[i].Who} says hello to the crew";
            await pages[i].SendAsync(text);
            foreach (var other in pages.Where((_, j) => j != i)) await other.ExpectMessageAsync(text);
        }
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task An_image_and_a_file_sent_in_the_browser_reach_the_other_side() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, kimToken) = await host.RegisterAsync("kim", displayName: "Kim");
        var (leoId, _) = await host.RegisterAsync("leo", displayName: "Leo");
        await StartConversationAsync(host, kimToken, leoId, "photos coming");

        var kim = await browser.OpenAsync(host.BaseAddress, "kim");
        var leo = await browser.OpenAsync(host.BaseAddress, "leo");
        await kim.LogInAsync("kim");
        await leo.LogInAsync("leo");
        await kim.OpenConversationAsync("Leo");
        await leo.OpenConversationAsync("Kim");

        await AttachAsync(kim, new FilePayload { Name = "red-dot.png", MimeType = "image/png", Buffer = TinyPng });
        var image = leo.Messages.GetByRole(AriaRole.Button, new() { Name = "Open image", Exact = true }).Last.GetByRole(AriaRole.Img);
        await Expect(image).ToBeVisibleAsync();
        // the picture really loaded (decoded pixels), not a broken-image placeholder
        await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 4);

        var notes = "minutes of the meeting\n"u8.ToArray();
        await AttachAsync(kim, new FilePayload { Name = "minutes.txt", MimeType = "text/plain", Buffer = notes });
        var downloadButton = leo.Messages.GetByRole(AriaRole.Button, new() { Name = "Download minutes.txt", Exact = true });
        await Expect(downloadButton).ToBeVisibleAsync();
        var download = await leo.Page.RunAndWaitForDownloadAsync(() => downloadButton.ClickAsync());
        Assert.Equal("minutes.txt", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), $"gochat-download-{Guid.NewGuid():N}.txt");
        await download.SaveAsAsync(saved);
        Assert.Equal(notes, await File.ReadAllBytesAsync(saved));
        File.Delete(saved);
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task A_reload_keeps_the_session_and_the_history() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, maxToken) = await host.RegisterAsync("max", displayName: "Max");
        var (ninaId, _) = await host.RegisterAsync("nina", displayName: "Nina");
        await StartConversationAsync(host, maxToken, ninaId, "before the reload");

        var max = await browser.OpenAsync(host.BaseAddress, "max");
        await max.LogInAsync("max");
        await max.OpenConversationAsync("Nina");
        await max.SendAsync("typed in the browser");

        await max.Page.ReloadAsync();
        await max.ExpectChatPageAsync();
        await max.OpenConversationAsync("Nina");
        await max.ExpectMessageAsync("before the reload");
        await max.ExpectMessageAsync("typed in the browser");

        // Logging out ends the session for good: a reload shows the login page.
        await max.Page.GetByRole(AriaRole.Button, new() { Name = "Log out", Exact = true }).ClickAsync();
        await Expect(max.Page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true })).ToBeVisibleAsync();
        await max.Page.ReloadAsync();
        await Expect(max.Page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true })).ToBeVisibleAsync();
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task After_a_server_restart_the_open_page_reconnects_and_shows_what_was_sent_meanwhile() => BrowserScope.RunAsync(chromium, async browser =>
    {
        var port = GoChatProcess.FreePort();
        var urls = $"--urls=http://127.0.0.1:{port}";
        var host = await GoChatHost.StartAsync(null, urls);
        var connectionString = host.ConnectionString;
        try
        {
            var (_, olaToken) = await host.RegisterAsync("ola", displayName: "Ola");
            var (paulId, paulToken) = await host.RegisterAsync("paul", displayName: "Paul");
            var conversation = await StartConversationAsync(host, olaToken, paulId, "see you after the upgrade");

            var paul = await OpenConversationPageAsync(browser, host, "paul", "Ola", "see you after the upgrade");

            await host.DisposeAsync();
            await Expect(paul.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Reconnecting" })).ToBeVisibleAsync();

            host = await GoChatHost.StartAsync(connectionString, urls);
            await SendTextAsync(host, olaToken, conversation, "upgrade done");
            await SendTextAsync(host, olaToken, conversation, "everything is back");

            await paul.ExpectMessageAsync("upgrade done");
            await paul.ExpectMessageAsync("everything is back");
            await Expect(paul.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Reconnecting" })).ToHaveCountAsync(0);
            await paul.SendAsync("welcome back");

            // and the reply really reached the server, not just the page
            using var olaAgain = host.Client(olaToken);
            var history = await olaAgain.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages");
            Assert.Contains(history!, m => m.GetProperty("text").GetString() == "welcome back");
            _ = paulToken;
        }
        finally
        {
            await host.DisposeAsync();
        }
    });

    [Fact]
    public Task A_message_whose_live_event_was_lost_shows_when_the_page_comes_back_into_view() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, veraToken) = await host.RegisterAsync("vera", displayName: "Vera");
        var (walterId, _) = await host.RegisterAsync("walter", displayName: "Walter");
        var conversation = await StartConversationAsync(host, veraToken, walterId, "are you there?");

        var walter = await OpenConversationPageAsync(browser, host, "walter", "Vera", "are you there?");

        // The delivery routes forget this WebFront (as when the silo holding them dies), so the next
        // message is committed but never pushed to the page.
        await host.DeactivateRouteGrainsAsync();
        await SendTextAsync(host, veraToken, conversation, "sent while the route was rebuilt");
        await Task.Delay(2_000);
        await Expect(walter.Message("sent while the route was rebuilt")).ToHaveCountAsync(0);

        // The person switches back to the tab: the page compares with the server and fills the gap.
        await walter.Page.EvaluateAsync("() => document.dispatchEvent(new Event('visibilitychange'))");
        await walter.ExpectMessageAsync("sent while the route was rebuilt");
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task A_message_lost_while_a_route_was_rebuilt_shows_once_the_route_is_attached_again() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, zoeToken) = await host.RegisterAsync("zoe", displayName: "Zoe");
        var (aaronId, _) = await host.RegisterAsync("aaron", displayName: "Aaron");
        var conversation = await StartConversationAsync(host, zoeToken, aaronId, "hello");

        var aaron = await OpenConversationPageAsync(browser, host, "aaron", "Zoe", "hello");
        await host.DeactivateRouteGrainsAsync();
        await SendTextAsync(host, zoeToken, conversation, "sent while the route was gone");
        await Task.Delay(1_000);
        await Expect(aaron.Message("sent while the route was gone")).ToHaveCountAsync(0);

        // The WebFront attaches its routes again (the lease does this every 2 minutes and when a silo
        // leaves); the route had forgotten it, so the page is told to resync and shows the message,
        // with no new message and no visibility change.
        await host.Services.GetRequiredService<RouteLease>().RenewAll(CancellationToken.None);
        await Expect(aaron.Message("sent while the route was gone")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task A_live_message_after_a_lost_one_brings_the_lost_one_with_it() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, xeniaToken) = await host.RegisterAsync("xenia", displayName: "Xenia");
        var (yusufId, _) = await host.RegisterAsync("yusuf", displayName: "Yusuf");
        var conversation = await StartConversationAsync(host, xeniaToken, yusufId, "first");

        var yusuf = await OpenConversationPageAsync(browser, host, "yusuf", "Xenia", "first");
        Task SendAsync(string text) => SendTextAsync(host, xeniaToken, conversation, text);

        // The second message's live event is lost (the routes forgot this WebFront)...
        await host.DeactivateRouteGrainsAsync();
        await SendAsync("second, never pushed");
        await Task.Delay(1_000);
        await Expect(yusuf.Message("second, never pushed")).ToHaveCountAsync(0);

        // ...the routes are rebuilt and the third arrives live: the page sees the hole before it and
        // fetches it at once, without waiting for the minute's catch-up or a visibility change.
        Assert.True(await host.Services.GetRequiredService<RouteLease>().RenewAll(CancellationToken.None) >= 1);
        await SendAsync("third, pushed");
        await yusuf.ExpectMessageAsync("third, pushed");
        await Expect(yusuf.Message("second, never pushed")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        var texts = await yusuf.Messages.Locator("p").AllInnerTextsAsync();
        Assert.Equal(["first", "second, never pushed", "third, pushed"], texts.Where(t => t is "first" or "second, never pushed" or "third, pushed"));
        Assert.Empty(browser.PageErrors);
    });

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

    /// <summary>The direct conversation between the token's user and <paramref name="otherId"/>, with one message from the token's user.</summary>
    static async Task<string> StartConversationAsync(GoChatHost host, string token, long otherId, string firstMessage)
    {
        using var http = host.Client(token);
        var conversation = await (await http.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = otherId }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = conversation.GetProperty("id").GetString()!;
        await SendTextAsync(host, token, id, firstMessage);
        return id;
    }

    /// <summary>Sends a text message through the API, as another client of the same person would.</summary>
    static async Task SendTextAsync(GoChatHost host, string token, string conversation, string text)
    {
        using var http = host.Client(token);
        var sent = await http.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = Guid.NewGuid().ToString(), kind = "text", text });
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
    }

    /// <summary>A person logged in with a conversation open, showing <paramref name="shown"/>.</summary>
    static async Task<ChatPage> OpenConversationPageAsync(BrowserScope browser, GoChatHost host, string who, string conversationTitle, string shown)
    {
        var page = await browser.OpenAsync(host.BaseAddress, who);
        await page.LogInAsync(who);
        await page.OpenConversationAsync(conversationTitle);
        await page.ExpectMessageAsync(shown);
        return page;
    }

    static async Task AttachAsync(ChatPage page, FilePayload file)
    {
        var chooser = await page.Page.RunAndWaitForFileChooserAsync(() =>
            page.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file", Exact = true }).ClickAsync());
        await chooser.SetFilesAsync(file);
    }

    /// <summary>A valid 4x4 red PNG.</summary>
    static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8jngAAAABJRU5ErkJggg==");
}
