using GoChat.Tests.Bots;
using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>A bot in the web client, in real Chromium: found by search with its badge, its reply growing on screen, stopped, and a failure shown.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BotBrowserTests(Chromium chromium)
{
    [Fact]
    public Task A_bots_reply_grows_on_screen_stops_on_Stop_generating_and_a_failure_shows_its_notice() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var model = await FakeModelServer.StartAsync();
        model.Reply = _ => new FakeReply(Pieces: Enumerable.Range(1, 400).Select(i => $" word{i}").ToArray(), ChunkDelay: TimeSpan.FromMilliseconds(50));
        await using var host = await GoChatHost.StartAsync(null, "--GoChat:Bots:grok:Provider=openai", $"--GoChat:Bots:grok:Endpoint={model.Endpoint}",
            "--GoChat:Bots:grok:Model=grok-4", "--GoChat:Bots:grok:DisplayName=Grok");
        var ann = await browser.OpenAsync(host.BaseAddress, "ann");
        await ann.RegisterAsync("ann", "ann-secret-1");

        // Found by search, marked as a bot.
        await ann.SearchUsers.FillAsync("grok");
        var results = ann.Page.GetByRole(AriaRole.List, new() { Name = "Search results", Exact = true });
        await Expect(results.Locator(".bot-badge")).ToHaveTextAsync("BOT");
        await results.GetByRole(AriaRole.Button, new() { Name = "Chat with Grok", Exact = true }).ClickAsync();
        await Expect(ann.Composer).ToBeVisibleAsync();
        await Expect(ann.Page.Locator(".pane-head .avatar-bot")).ToBeVisibleAsync();

        await ann.SendAsync("Tell me a long story");
        var reply = ann.Messages.Locator(".msg").Filter(new() { HasText = "word1" });
        await Expect(reply).ToContainTextAsync("word3");
        await Expect(reply).ToContainTextAsync("word12"); // it grows in place
        await Expect(reply.Locator(".sender, .bot-badge")).ToHaveCountAsync(0); // a direct conversation names no sender
        var stop = ann.Messages.GetByRole(AriaRole.Button, new() { Name = "Stop generating", Exact = true });
        await stop.ClickAsync();
        await Expect(stop).ToBeHiddenAsync();
        await Expect(reply.Locator(".meta")).ToContainTextAsync("stopped");
        var shown = await reply.Locator(".text").InnerTextAsync();
        await Task.Delay(800);
        Assert.Equal(shown, await reply.Locator(".text").InnerTextAsync()); // nothing more arrives
        Assert.NotNull(model.Requests[^1].AbortedAt);

        model.Reply = _ => new FakeReply(Fault: Fault.Status, Status: 401, ErrorMessage: "Incorrect API key provided");
        await ann.SendAsync("Are you still there?");
        await Expect(ann.Messages.GetByRole(AriaRole.Alert)).ToContainTextAsync("Grok could not answer: its AI provider refused GoChat's API key.");
        Assert.Empty(browser.PageErrors);
    });
}
