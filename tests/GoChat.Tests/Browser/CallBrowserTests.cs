using System.Diagnostics;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>
/// Calls in real Chromium (fake camera and microphone) against a real GoChat, media over loopback
/// only (<see cref="CallPage.LoopbackOnly"/>), and a real coturn for the relay: what people do,
/// found by the accessible names the client promises; media proven with getStats sampled twice.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CallBrowserTests(Chromium chromium)
{
    static async Task<(ChatPage Ann, ChatPage Ben)> PairAsync(BrowserScope browser, GoChatHost host, ViewportSize? viewport = null)
    {
        await host.RegisterAsync("ann", displayName: "Ann");
        await host.RegisterAsync("ben", displayName: "Ben");
        var ann = await browser.OpenSignedInAsync(host.BaseAddress, "ann", "ann", viewport);
        var ben = await browser.OpenSignedInAsync(host.BaseAddress, "ben", "ben", viewport);
        await ann.StartDirectChatAsync("ben", "Ben");
        return (ann, ben);
    }

    [Fact]
    public Task A_video_call_carries_media_both_ways_hanging_up_ends_it_for_both_and_the_message_shows_its_duration() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (ann, ben) = await PairAsync(browser, host);

        await ann.Button("Start video call").ClickAsync();
        await Expect(ann.CallPanel()).ToBeVisibleAsync();
        await Expect(ben.IncomingCall()).ToBeVisibleAsync();
        await Expect(ben.IncomingCall()).ToContainTextAsync("Ann");
        await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();

        await Expect(ben.CallPanel()).ToBeVisibleAsync();
        await Expect(ben.IncomingCall()).ToBeHiddenAsync();
        await Expect(ann.VideoOf("Ben")).ToBeVisibleAsync();
        await Expect(ben.VideoOf("Ann")).ToBeVisibleAsync();
        await Expect(ann.CallTimer()).ToBeVisibleAsync();
        await ann.ExpectMediaFlowingAsync();
        await ben.ExpectMediaFlowingAsync();
        await ann.ExpectMediaStaysOnThisMachineAsync();
        await ben.ExpectMediaStaysOnThisMachineAsync();

        await ann.HangUpAsync();
        await Expect(ben.CallPanel()).ToBeHiddenAsync();

        await ben.Page.ReloadAsync();
        await ben.OpenConversationAsync("Ann");
        await Expect(ben.Messages).ToContainTextAsync(new Regex(@"Video call, \d+:\d\d"));
        await ann.Page.ReloadAsync();
        await ann.OpenConversationAsync("Ben");
        await Expect(ann.Messages).ToContainTextAsync(new Regex(@"Video call, \d+:\d\d"));
        Assert.Empty(browser.PageErrors);
    });

    [Fact]
    public Task Through_coturn_with_relay_only_the_selected_pair_is_a_relay_and_media_flows_and_a_wrong_secret_says_so() => BrowserScope.RunAsync(chromium, async browser =>
    {
        const string secret = "coturn-test-secret-4f1e9a";
        await using var coturn = await Coturn.StartAsync(secret);
        await using (var host = await GoChatHost.StartAsync(null,
            $"--GoChat:Calls:TurnUrls:0={coturn.Url}", $"--GoChat:Calls:TurnSecret={secret}"))
        {
            await host.RegisterAsync("ann", displayName: "Ann");
            await host.RegisterAsync("ben", displayName: "Ben");
            var ann = await browser.OpenSignedInAsync(host.BaseAddress, "ann", "ann", relayOnly: true);
            var ben = await browser.OpenSignedInAsync(host.BaseAddress, "ben", "ben", relayOnly: true);
            await ann.StartDirectChatAsync("ben", "Ben");

            await ann.Button("Start video call").ClickAsync();
            await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
            await ann.ExpectMediaFlowingAsync();
            await ben.ExpectMediaFlowingAsync();
            var pairs = await ann.SelectedPairsAsync();
            Assert.NotEmpty(pairs);
            Assert.All(pairs, pair => Assert.Equal("relay", pair.Local));
            await ann.HangUpAsync();
        }

        // The same coturn, a GoChat with another secret: coturn refuses its credentials, and the page says so.
        await using (var wrong = await GoChatHost.StartAsync(null,
            $"--GoChat:Calls:TurnUrls:0={coturn.Url}", "--GoChat:Calls:TurnSecret=not-the-coturn-secret-at-all"))
        {
            await wrong.RegisterAsync("cal", displayName: "Cal");
            await wrong.RegisterAsync("dee", displayName: "Dee");
            var cal = await browser.OpenSignedInAsync(wrong.BaseAddress, "cal", "cal", relayOnly: true);
            var dee = await browser.OpenSignedInAsync(wrong.BaseAddress, "dee", "dee", relayOnly: true);
            await cal.StartDirectChatAsync("dee", "Dee");
            await cal.Button("Start video call").ClickAsync();
            await dee.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
            try
            {
                foreach (var page in new[] { cal, dee })
                    await Expect(page.CallPanel().GetByRole(AriaRole.Status).Filter(new() { HasText = "refused this call's credentials" })).ToBeVisibleAsync();
            }
            catch (PlaywrightException e)
            {
                // Seen once in a full CI run and never alone: say what the pages' ICE agents and coturn saw.
                throw new Xunit.Sdk.XunitException($"{e.Message}\n{await cal.IceReportAsync()}\n{await dee.IceReportAsync()}\ncoturn:\n{coturn.Log()}");
            }
            Assert.Equal(0, (await cal.ReceivedAsync()).Connected);
        }
    });

    [Fact]
    public Task A_callee_signed_in_on_two_pages_hears_both_ring_and_answering_on_one_stops_the_other_within_a_second() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync();
        var (ann, ben) = await PairAsync(browser, host);
        var benAgain = await browser.OpenSignedInAsync(host.BaseAddress, "ben-2", "ben");

        await ann.Button("Start voice call").ClickAsync();
        await Expect(ben.IncomingCall()).ToBeVisibleAsync();
        await Expect(benAgain.IncomingCall()).ToBeVisibleAsync();

        var clock = Stopwatch.StartNew();
        await ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await Expect(benAgain.IncomingCall()).ToBeHiddenAsync(new() { Timeout = 1000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the other page stopped ringing after {clock.Elapsed}");
        await Expect(ben.CallPanel()).ToBeVisibleAsync();
        await Expect(benAgain.CallPanel()).ToBeHiddenAsync();
        await ann.HangUpAsync();
    });

    [Fact]
    public Task Declined_cancelled_unanswered_and_busy_calls_end_with_their_outcome_on_both_sides_and_in_the_call_message() => BrowserScope.RunAsync(chromium, async browser =>
    {
        await using var host = await GoChatHost.StartAsync(null, "--GoChat:Calls:RingTimeout=00:00:03");
        var (ann, ben) = await PairAsync(browser, host);
        var accept = ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true });
        var decline = ben.IncomingCall().GetByRole(AriaRole.Button, new() { Name = "Decline", Exact = true });

        // Declined.
        await ann.Button("Start video call").ClickAsync();
        await decline.ClickAsync();
        await Expect(ann.CallPanel()).ToBeHiddenAsync();
        await Expect(ann.CallToast()).ToContainTextAsync("Call declined.");
        await Expect(ann.Messages).ToContainTextAsync("Declined video call");
        await ben.OpenConversationAsync("Ann");
        await Expect(ben.Messages).ToContainTextAsync("Declined video call");

        // Cancelled: Ann hangs up while it rings.
        await ann.Button("Start voice call").ClickAsync();
        await Expect(ben.IncomingCall()).ToBeVisibleAsync();
        await ann.HangUpAsync();
        await Expect(ben.IncomingCall()).ToBeHiddenAsync();
        await Expect(ann.Messages).ToContainTextAsync("Cancelled voice call");
        await Expect(ben.Messages).ToContainTextAsync("Missed voice call");

        // No answer within the ring timeout.
        await ann.Button("Start video call").ClickAsync();
        await Expect(ben.IncomingCall()).ToBeVisibleAsync();
        await Expect(ben.IncomingCall()).ToBeHiddenAsync(new() { Timeout = 10_000 });
        await Expect(ann.CallPanel()).ToBeHiddenAsync();
        await Expect(ann.CallToast()).ToContainTextAsync("No answer.");
        await Expect(ann.Messages).ToContainTextAsync("Video call, no answer");
        await Expect(ben.Messages).ToContainTextAsync("Missed video call");

        // Busy: Ben is in a call with Cy when Ann calls.
        var (_, cyToken) = await host.RegisterAsync("cy", displayName: "Cy");
        var cy = await browser.OpenSignedInAsync(host.BaseAddress, "cy", "cy");
        await cy.StartDirectChatAsync("ben", "Ben");
        await cy.Button("Start voice call").ClickAsync();
        await accept.ClickAsync();
        await Expect(ben.CallPanel()).ToBeVisibleAsync();
        await ann.Button("Start video call").ClickAsync();
        await Expect(ann.CallToast()).ToContainTextAsync("Busy");
        await Expect(ann.CallPanel()).ToBeHiddenAsync();
        await Expect(ann.Messages).ToContainTextAsync("Video call, busy");
        await Expect(ben.IncomingCall()).ToBeHiddenAsync();
        await ben.HangUpAsync();
        await Expect(ben.Messages).ToContainTextAsync("Video call, busy");
        _ = cyToken;
    });
}
