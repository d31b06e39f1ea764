using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>
/// Calls in real Chromium beyond two people answering: glare, a mesh of three, a hub connection
/// lost mid-call, screen sharing, and the phone layout.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CallMeshBrowserTests(Chromium chromium)
{
    [Fact]
    public Task Two_people_calling_each_other_at_once_get_exactly_one_connected_call() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (annId, annToken) = await host.RegisterAsync("ann", displayName: "Ann");
        var (benId, _) = await host.RegisterAsync("ben", displayName: "Ben");
        var ann = await browser.OpenSignedInAsync(host.BaseAddress, "ann", "ann");
        var ben = await browser.OpenSignedInAsync(host.BaseAddress, "ben", "ben");
        await ann.StartDirectChatAsync("ben", "Ben");
        await ben.StartDirectChatAsync("ann", "Ann");

        await Task.WhenAll(ann.Button("Start video call").ClickAsync(), ben.Button("Start video call").ClickAsync());

        await Expect(ann.CallPanel()).ToBeVisibleAsync();
        await Expect(ben.CallPanel()).ToBeVisibleAsync();
        await ann.ExpectMediaFlowingAsync();
        await ben.ExpectMediaFlowingAsync();
        await Expect(ann.IncomingCall()).ToBeHiddenAsync();
        await Expect(ben.IncomingCall()).ToBeHiddenAsync();
        Assert.Single((await ann.FramesPerConnectionAsync()));
        using var http = host.Client(annToken);
        var history = await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/d:{Math.Min(annId, benId)}:{Math.Max(annId, benId)}/messages");
        Assert.Single(history!, m => m.GetProperty("kind").GetString() == "call");
        await ben.HangUpAsync();
        await Expect(ann.CallPanel()).ToBeHiddenAsync();
    });

    [Fact]
    public Task A_group_call_of_three_is_a_mesh_where_every_pair_decodes_video() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, annToken) = await host.RegisterAsync("ann", displayName: "Ann");
        var (benId, _) = await host.RegisterAsync("ben", displayName: "Ben");
        var (cyId, _) = await host.RegisterAsync("cy", displayName: "Cy");
        using (var http = host.Client(annToken))
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/groups", new { name = "Standup", memberIds = new[] { benId, cyId } })).StatusCode);
        var pages = new List<ChatPage>();
        foreach (var who in new[] { "ann", "ben", "cy" })
        {
            var page = await browser.OpenSignedInAsync(host.BaseAddress, who, who);
            await page.OpenConversationAsync("Standup");
            pages.Add(page);
        }
        var (ann, ben, cy) = (pages[0], pages[1], pages[2]);

        await ann.Button("Start video call").ClickAsync();
        await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await Expect(ben.CallPanel()).ToBeVisibleAsync();
        // Cy let it ring out here and joins from the banner instead.
        await cy.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Decline", Exact = true }).ClickAsync();
        var banner = cy.Page.GetByRole(AriaRole.Region, new() { Name = "Call in progress", Exact = true });
        await banner.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Expect(cy.CallPanel()).ToBeVisibleAsync();

        foreach (var page in pages) await page.ExpectEveryConnectionDecodingAsync(2);
        await Expect(ann.VideoOf("Ben")).ToBeVisibleAsync();
        await Expect(ann.VideoOf("Cy")).ToBeVisibleAsync();

        // One leaves: the other two go on.
        await cy.HangUpAsync();
        await ann.ExpectEveryConnectionDecodingAsync(1);
        await Expect(ann.VideoOf("Cy")).ToBeHiddenAsync();
        await ann.HangUpAsync();
        await Expect(ben.CallPanel()).ToBeHiddenAsync();
    });

    [Fact]
    public Task A_hub_connection_lost_mid_call_comes_back_within_the_grace_without_stopping_media_and_past_it_the_call_ends() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync(null, "--GoChat:Calls:ReconnectGrace=00:00:05");
        await host.RegisterAsync("ann", displayName: "Ann");
        await host.RegisterAsync("ben", displayName: "Ben");
        var ann = await browser.OpenSignedInAsync(host.BaseAddress, "ann", "ann");

        // Ben's hub WebSocket goes through the test, which can cut it (and keep it from coming back).
        var ben = await browser.OpenAsync(host.BaseAddress, "ben");
        await ben.Page.Context.AddInitScriptAsync(CallPage.LoopbackOnly());
        var sockets = new List<IWebSocketRoute>();
        var blocked = false;
        await ben.Page.RouteWebSocketAsync(new Regex("/hubs/chat"), route =>
        {
            if (blocked)
            {
                _ = route.CloseAsync();
                return;
            }
            lock (sockets) sockets.Add(route.ConnectToServer());
            lock (sockets) sockets.Add(route);
        });
        // While blocked, the other transports SignalR falls back to (and its negotiation) fail too.
        await ben.Page.RouteAsync(new Regex("/hubs/chat"), route => blocked ? route.AbortAsync() : route.ContinueAsync());
        async Task CutAsync()
        {
            List<IWebSocketRoute> open;
            lock (sockets) { open = [.. sockets]; sockets.Clear(); }
            foreach (var socket in open) await socket.CloseAsync();
        }
        await ben.LogInAsync("ben");
        await ann.StartDirectChatAsync("ben", "Ben");

        await ann.Button("Start video call").ClickAsync();
        await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await ann.ExpectMediaFlowingAsync();

        // Cut: Ben's page reconnects at once; the call goes on and media never stops.
        var before = (await ann.ReceivedAsync()).FramesDecoded;
        await CutAsync();
        var samples = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(500);
            samples.Add((await ann.ReceivedAsync()).FramesDecoded);
        }
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.Second > p.First) && samples[0] > before, $"frames stalled: {before}, {string.Join(", ", samples)}");
        await Expect(ben.CallPanel().GetByRole(AriaRole.Status).Filter(new() { HasText = "Reconnecting" })).ToHaveCountAsync(0);
        await Expect(ann.CallPanel().GetByRole(AriaRole.Status).Filter(new() { HasText = "Reconnecting" })).ToHaveCountAsync(0);
        await Expect(ann.CallPanel()).ToBeVisibleAsync();
        await Expect(ben.CallPanel()).ToBeVisibleAsync();

        // Cut and keep it cut past the grace: the call ends for both.
        blocked = true;
        await CutAsync();
        await Expect(ben.CallPanel().GetByRole(AriaRole.Status).Filter(new() { HasText = "Reconnecting" })).ToBeVisibleAsync();
        await Expect(ann.CallPanel()).ToBeHiddenAsync(new() { Timeout = 20_000 });
        await Expect(ann.CallToast()).ToContainTextAsync("connection was lost");
        blocked = false;
        await Expect(ben.CallPanel()).ToBeHiddenAsync(new() { Timeout = 20_000 });
    });

    [Fact]
    public Task A_screen_shared_mid_call_reaches_the_peer_by_renegotiation() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        await host.RegisterAsync("ann", displayName: "Ann");
        await host.RegisterAsync("ben", displayName: "Ben");
        var ann = await browser.OpenSignedInAsync(host.BaseAddress, "ann", "ann");
        var ben = await browser.OpenSignedInAsync(host.BaseAddress, "ben", "ben");
        await ann.StartDirectChatAsync("ben", "Ben");

        await ann.Button("Start voice call").ClickAsync();
        await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await Expect(ben.CallPanel()).ToBeVisibleAsync();
        await Expect(ann.Button("Share screen")).ToHaveAttributeAsync("aria-pressed", "false");

        await ann.Button("Share screen").ClickAsync();
        await Expect(ann.Button("Share screen")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(ben.CallPanel().GetByLabel("Screen of Ann", new() { Exact = true })).ToBeVisibleAsync();
        await ben.ExpectEveryConnectionDecodingAsync(1);

        // And the camera, turned on in a voice call, is one more renegotiation.
        await ben.Button("Camera off").ClickAsync();
        await Expect(ben.Button("Camera off")).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(ann.VideoOf("Ben")).ToBeVisibleAsync();
        await ann.ExpectEveryConnectionDecodingAsync(1);
        await ann.HangUpAsync();
    });

    [Fact]
    public Task At_phone_width_every_call_control_is_on_screen() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        await host.RegisterAsync("ann", displayName: "Ann");
        await host.RegisterAsync("ben", displayName: "Ben");
        var ann = await browser.OpenSignedInAsync(host.BaseAddress, "ann", "ann", BrowserScope.Phone);
        var ben = await browser.OpenSignedInAsync(host.BaseAddress, "ben", "ben", BrowserScope.Phone);
        await ann.StartDirectChatAsync("ben", "Ben");
        foreach (var name in new[] { "Start voice call", "Start video call" }) await Expect(ann.Button(name)).ToBeInViewportAsync();

        await ann.Button("Start video call").ClickAsync();
        await Expect(ben.IncomingCall()).ToBeVisibleAsync();
        foreach (var name in new[] { "Accept", "Decline" }) await Expect(ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = name, Exact = true })).ToBeInViewportAsync();
        await Screenshot(ben, "call-incoming-phone");
        await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();

        foreach (var page in new[] { ann, ben })
        {
            await Expect(page.VideoOf(page == ann ? "Ben" : "Ann")).ToBeVisibleAsync();
            await Expect(page.CallTimer()).ToBeInViewportAsync();
            foreach (var name in new[] { "Mute", "Camera off", "Share screen", "Hang up" })
                await Expect(page.Button(name)).ToBeInViewportAsync(new() { Ratio = 1 });
            Assert.True(await page.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        }
        await ann.ExpectMediaFlowingAsync();
        await Screenshot(ann, "call-phone");
        await ann.Button("Mute").ClickAsync();
        await Expect(ann.Button("Mute")).ToHaveAttributeAsync("aria-pressed", "true");
        await ann.HangUpAsync();
    });

    /// <summary>Screenshots for docs/calls.md, beside the test output (copied into docs/screenshots by hand when the layout changes).</summary>
    static Task Screenshot(ChatPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        return page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{name}.png") });
    }
}
