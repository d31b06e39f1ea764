using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>An open page that missed live events (a server restart, routes rebuilt) catches up by itself.</summary>
public sealed partial class WebClientTests
{
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
}
