using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>
/// The web client in real Chromium against a real GoChat (Kestrel, Orleans, PostgreSQL): what a
/// person does, found by the accessible names the client promises.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class WebClientTests(Chromium chromium)
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
