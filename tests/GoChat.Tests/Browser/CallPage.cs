using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>
/// A person's page in a call: the call's controls by their accessible names (docs/web-client.md),
/// and what the page's RTCPeerConnections report. Media may only travel over loopback here:
/// <see cref="LoopbackOnly"/> drops every ICE candidate that is not 127.0.0.1 before the browser
/// sees it, so no test traffic goes to any other address.
/// </summary>
public static class CallPage
{
    /// <summary>
    /// Runs before the client's own scripts: keeps every RTCPeerConnection the page makes (for
    /// getStats), drops remote ICE candidates (trickled or inside an SDP) whose address is not
    /// 127.0.0.1, and with <c>relayOnly</c> forces iceTransportPolicy "relay".
    /// </summary>
    public static string LoopbackOnly(bool relayOnly = false) => $$"""
        (() => {
          const relayOnly = {{(relayOnly ? "true" : "false")}};
          const loopback = line => (line || '').trim().split(/\s+/)[4] === '127.0.0.1';
          const Native = window.RTCPeerConnection;
          window.__pcs = [];
          window.__iceErrors = [];
          class Watched extends Native {
            constructor(config) {
              super(relayOnly ? { ...(config || {}), iceTransportPolicy: 'relay' } : config);
              window.__pcs.push(this);
              // Kept for failure reports: what the ICE agent heard from STUN/TURN servers.
              this.addEventListener('icecandidateerror', e =>
                window.__iceErrors.push(`${new Date().toISOString().slice(11, 23)} ${e.errorCode} ${e.url} ${e.errorText}`));
            }
          }
          window.RTCPeerConnection = Watched;
          const addIceCandidate = Native.prototype.addIceCandidate;
          Native.prototype.addIceCandidate = function (candidate, ...rest) {
            if (candidate && candidate.candidate && !loopback(candidate.candidate)) return Promise.resolve();
            return addIceCandidate.call(this, candidate, ...rest);
          };
          const setRemoteDescription = Native.prototype.setRemoteDescription;
          Native.prototype.setRemoteDescription = function (description, ...rest) {
            if (description && description.sdp) {
              const sdp = description.sdp.split('\r\n').filter(l => !l.startsWith('a=candidate:') || loopback(l)).join('\r\n');
              description = { type: description.type, sdp };
            }
            return setRemoteDescription.call(this, description, ...rest);
          };
        })();
        """;

    /// <summary>Opens a person's page with the loopback-only ICE filter in place, signed in.</summary>
    public static async Task<ChatPage> OpenSignedInAsync(this BrowserScope browser, Uri baseAddress, string who, string username,
        ViewportSize? viewport = null, bool relayOnly = false)
    {
        var page = await browser.OpenAsync(baseAddress, who, viewport);
        await page.Page.Context.AddInitScriptAsync(LoopbackOnly(relayOnly));
        await page.LogInAsync(username);
        return page;
    }

    public static ILocator Button(this ChatPage page, string name) => page.Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    public static ILocator IncomingCall(this ChatPage page) => page.Page.GetByRole(AriaRole.Dialog, new() { Name = "Incoming call", Exact = true });

    public static ILocator CallPanel(this ChatPage page) => page.Page.GetByRole(AriaRole.Region, new() { Name = "Call", Exact = true });

    public static ILocator CallTimer(this ChatPage page) => page.CallPanel().GetByRole(AriaRole.Timer);

    public static ILocator VideoOf(this ChatPage page, string name) => page.CallPanel().GetByLabel($"Video of {name}", new() { Exact = true });

    /// <summary>The status line the chat page shows when a call of this page ended or was refused.</summary>
    public static ILocator CallToast(this ChatPage page) => page.Page.Locator(".call-toast");

    /// <summary>What the page has received so far over all its connections, summed.</summary>
    public sealed record Received(long FramesDecoded, long VideoBytes, double AudioEnergy, int Connected);

    public static async Task<Received> ReceivedAsync(this ChatPage page)
    {
        var json = await page.Page.EvaluateAsync<JsonElement>("""
            async () => {
              let frames = 0, bytes = 0, energy = 0, connected = 0;
              for (const pc of window.__pcs || []) {
                if (pc.connectionState === 'closed') continue;
                if (pc.connectionState === 'connected') connected++;
                const stats = await pc.getStats();
                stats.forEach(s => {
                  if (s.type !== 'inbound-rtp') return;
                  if (s.kind === 'video') { frames += s.framesDecoded || 0; bytes += s.bytesReceived || 0; }
                  if (s.kind === 'audio') energy += s.totalAudioEnergy || 0;
                });
              }
              return { frames, bytes, energy, connected };
            }
            """);
        return new Received(json.GetProperty("frames").GetInt64(), json.GetProperty("bytes").GetInt64(),
            json.GetProperty("energy").GetDouble(), json.GetProperty("connected").GetInt32());
    }

    /// <summary>
    /// Media flows into the page: sampled twice, two seconds apart, decoded video frames and video
    /// bytes grow, and so does the received audio's energy (the fake microphone beeps).
    /// </summary>
    public static async Task ExpectMediaFlowingAsync(this ChatPage page, int connections = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Received first;
        while ((first = await page.ReceivedAsync()).Connected < connections || first.FramesDecoded == 0)
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{page.Who}: no media after 30 s ({first})");
            await Task.Delay(250);
        }
        await Task.Delay(2000);
        var second = await page.ReceivedAsync();
        Assert.True(second.FramesDecoded > first.FramesDecoded, $"{page.Who}: frames decoded did not grow ({first} -> {second})");
        Assert.True(second.VideoBytes > first.VideoBytes, $"{page.Who}: video bytes did not grow ({first} -> {second})");
        Assert.True(second.AudioEnergy > first.AudioEnergy, $"{page.Who}: audio energy did not grow ({first} -> {second})");
    }

    /// <summary>Decoded video frames per connected RTCPeerConnection of the page.</summary>
    public static async Task<long[]> FramesPerConnectionAsync(this ChatPage page) =>
        await page.Page.EvaluateAsync<long[]>("""
            async () => {
              const frames = [];
              for (const pc of window.__pcs || []) {
                if (pc.connectionState !== 'connected') continue;
                let n = 0;
                (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; });
                frames.push(n);
              }
              return frames;
            }
            """);

    /// <summary>Every one of the page's <paramref name="connections"/> connections decodes video, and keeps decoding.</summary>
    public static async Task ExpectEveryConnectionDecodingAsync(this ChatPage page, int connections)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        long[] first;
        while ((first = await page.FramesPerConnectionAsync()).Length < connections || first.Any(f => f == 0))
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{page.Who}: frames per connection {string.Join(",", first)} after 40 s");
            await Task.Delay(250);
        }
        await Task.Delay(2000);
        var second = await page.FramesPerConnectionAsync();
        Assert.Equal(connections, second.Length);
        for (var i = 0; i < connections; i++)
            Assert.True(second[i] > first[i], $"{page.Who}: connection {i} stopped decoding ({first[i]} -> {second[i]})");
    }

    /// <summary>
    /// The type and address of the local and remote candidates of each connected pair (getStats:
    /// the transport's selected pair).
    /// </summary>
    public static async Task<IReadOnlyList<(string Local, string Remote, string LocalAddress, string RemoteAddress)>> SelectedPairsAsync(this ChatPage page)
    {
        var json = await page.Page.EvaluateAsync<JsonElement>("""
            async () => {
              const pairs = [];
              for (const pc of window.__pcs || []) {
                if (pc.connectionState !== 'connected') continue;
                const stats = await pc.getStats();
                stats.forEach(t => {
                  if (t.type !== 'transport' || !t.selectedCandidatePairId) return;
                  const pair = stats.get(t.selectedCandidatePairId);
                  const local = stats.get(pair.localCandidateId), remote = stats.get(pair.remoteCandidateId);
                  pairs.push({ local: local.candidateType, remote: remote.candidateType,
                    localAddress: local.address || local.ip || '', remoteAddress: remote.address || remote.ip || '' });
                });
              }
              return pairs;
            }
            """);
        return json.EnumerateArray().Select(p => (p.GetProperty("local").GetString()!, p.GetProperty("remote").GetString()!,
            p.GetProperty("localAddress").GetString()!, p.GetProperty("remoteAddress").GetString()!)).ToList();
    }

    /// <summary>
    /// Media never left this machine: every selected pair is host to host (or to a peer-reflexive
    /// candidate, which a browser only learns from a packet that reached it) and its addresses are
    /// this machine's own. Not "127.0.0.1 on both ends": remote candidates of other addresses never
    /// reach the browser, but Chromium still pairs its own non-loopback host candidate with the
    /// peer's 127.0.0.1, and as the controlling side may keep that pair once nominated (seen in CI:
    /// 192.0.2.2 to 127.0.0.1); a packet between two local addresses still travels over loopback.
    /// </summary>
    public static async Task ExpectMediaStaysOnThisMachineAsync(this ChatPage page)
    {
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address.ToString()).ToHashSet();
        var pairs = await page.SelectedPairsAsync();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            Assert.True(pair.Local == "host" && pair.Remote is "host" or "prflx", $"{page.Who}: selected pair {pair} is not host to host");
            Assert.True(own.Contains(pair.LocalAddress), $"{page.Who}: local address of {pair} is not this machine's");
            Assert.True(pair.Remote == "prflx" || pair.RemoteAddress == "127.0.0.1", $"{page.Who}: remote address of {pair} is not loopback");
        }
    }

    /// <summary>For a failure report: each connection's states, its ICE servers' count, and the ICE errors the page heard.</summary>
    public static async Task<string> IceReportAsync(this ChatPage page) =>
        $"{page.Who}: " + await page.Page.EvaluateAsync<string>("""
            () => JSON.stringify({
              connections: (window.__pcs || []).map(pc => ({ connection: pc.connectionState, ice: pc.iceConnectionState,
                gathering: pc.iceGatheringState, signaling: pc.signalingState, servers: (pc.getConfiguration().iceServers || []).length })),
              errors: window.__iceErrors || [] })
            """);

    public static async Task HangUpAsync(this ChatPage page)
    {
        await page.Button("Hang up").ClickAsync();
        await Expect(page.CallPanel()).ToBeHiddenAsync();
    }
}
