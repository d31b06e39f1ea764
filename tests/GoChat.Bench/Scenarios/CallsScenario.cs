using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench.Scenarios;

/// <summary>
/// Call signalling (no media): P pairs set up calls back to back, all at once, through the hub:
/// StartCall, callRinging on the callee, AcceptCall, callUpdated (accepted) on the caller, an offer,
/// an answer and two ICE candidates each way relayed, LeaveCall, callUpdated (ended) on the callee.
/// Reports setups/s, StartCall -> callRinging (the scenario's latency) and AcceptCall -> the caller's
/// callUpdated. Ordinary chat runs paced beside it, first alone and then with the calls, so its p99
/// can be compared. GoChat only: the baseline has no calls.
/// </summary>
public static class CallsScenario
{
    const int MaxSetupsPerPair = 100_000;
    static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);
    /// <summary>Messages/s of each paced chat sender running beside the calls.</summary>
    const double ChatRatePerSender = 20;
    /// <summary>The paced run: each pair starts a call every second (50 pairs: 50 setups/s, each about 14 hub calls).</summary>
    const double PacedSetupsPerPair = 1;

    sealed class Pair(HubConnection caller, HubConnection callee, long callerId, long calleeId, string conversationId)
    {
        public readonly HubConnection Caller = caller, Callee = callee;
        public readonly long CallerId = callerId, CalleeId = calleeId;
        public readonly string ConversationId = conversationId;
        public readonly Channel<(string CallId, long At)> Rang = Channel.CreateUnbounded<(string, long)>();
        public readonly Channel<(string CallId, long At)> Accepted = Channel.CreateUnbounded<(string, long)>();
        public readonly Channel<string> EndedAtCallee = Channel.CreateUnbounded<string>();
        public readonly Channel<string> SignalsAtCallee = Channel.CreateUnbounded<string>();
        public readonly Channel<string> SignalsAtCaller = Channel.CreateUnbounded<string>();
    }

    public static async Task<SideResult> RunAsync(Target target, BenchOptions options)
    {
        var pairCount = options.CallPairs;
        var users = await target.UsersAsync(2 * pairCount + 2 * options.CallChatPairs);
        var connections = new List<HubConnection>();
        try
        {
            var pairs = new List<Pair>();
            for (var i = 0; i < pairCount; i++)
            {
                var (from, to) = (users[2 * i], users[2 * i + 1]);
                var caller = await target.ConnectAsync(from, null);
                var callee = await target.ConnectAsync(to, null);
                connections.Add(caller);
                connections.Add(callee);
                var pair = new Pair(caller, callee, from.UserId, to.UserId, Target.DirectConversationId(from.UserId, to.UserId));
                callee.On<JsonElement>("callRinging", e => pair.Rang.Writer.TryWrite((Id(e), Stopwatch.GetTimestamp())));
                caller.On<JsonElement>("callUpdated", e =>
                {
                    if (State(e) == "accepted") pair.Accepted.Writer.TryWrite((Id(e), Stopwatch.GetTimestamp()));
                });
                callee.On<JsonElement>("callUpdated", e =>
                {
                    if (State(e) == "ended") pair.EndedAtCallee.Writer.TryWrite(Id(e));
                });
                callee.On<JsonElement>("callSignal", e => pair.SignalsAtCallee.Writer.TryWrite(e.GetProperty("callId").GetString()!));
                caller.On<JsonElement>("callSignal", e => pair.SignalsAtCaller.Writer.TryWrite(e.GetProperty("callId").GetString()!));
                pairs.Add(pair);
            }

            var chat = new List<Sender>();
            var chatLatencies = new LatencyRecorder();
            for (var i = 0; i < options.CallChatPairs; i++)
            {
                var (from, to) = (users[2 * pairCount + 2 * i], users[2 * pairCount + 2 * i + 1]);
                connections.Add(await target.ConnectAsync(to, m => { if (m.SenderId != to.UserId) Volatile.Read(ref chatLatencies).RecordFromText(m.Text); }));
                var sender = await target.ConnectAsync(from, null);
                connections.Add(sender);
                chat.Add(new Sender(sender, Target.DirectConversationId(from.UserId, to.UserId)));
            }

            Progress.Line($"  {target.Name}: chat alone, {chat.Count} senders paced at {ChatRatePerSender}/s, {options.RunTime.TotalSeconds / 2:0} s");
            var chatAlone = await LoadRun.RunAsync($"calls-chat-alone/{target.Name}", target, chat, 1, chatLatencies, options.RunTime / 2, new(), ChatRatePerSender);

            // Unmeasured warm-up: grain activations and JIT behind us.
            await Task.WhenAll(pairs.Select(p => SetUpAsync(p, null, null)));

            Progress.Line($"  {target.Name}: {pairCount} pairs setting up calls back to back for {options.RunTime.TotalSeconds:0} s, chat alongside");
            var flat = await CallsBesideChatAsync(target, pairs, chat, () => Volatile.Write(ref chatLatencies, new LatencyRecorder()), () => chatLatencies, options.RunTime, 0);
            Progress.Line($"  {target.Name}: again, each pair paced at {PacedSetupsPerPair} setup/s ({pairCount * PacedSetupsPerPair} setups/s), chat alongside");
            var paced = await CallsBesideChatAsync(target, pairs, chat, () => Volatile.Write(ref chatLatencies, new LatencyRecorder()), () => chatLatencies, options.RunTime, PacedSetupsPerPair);

            var extra = flat.Extra;
            extra["pairs"] = pairCount;
            extra["chatAlone"] = chatAlone.ToJson();
            extra["paced"] = paced.ToJson();
            return flat;
        }
        finally
        {
            await LoadRun.CloseAllAsync(connections);
        }
    }

    /// <summary>Every pair sets up calls for <paramref name="runTime"/> (back to back, or paced), while the chat senders run paced beside them.</summary>
    static async Task<SideResult> CallsBesideChatAsync(Target target, IReadOnlyList<Pair> pairs, IReadOnlyList<Sender> chat,
        Action newChatRecorder, Func<LatencyRecorder> chatRecorder, TimeSpan runTime, double setupsPerSecondPerPair)
    {
        newChatRecorder();
        var ring = new LatencyRecorder();
        var accept = new LatencyRecorder();
        long setups = 0, errors = 0;
        var cpu = new CpuMeter(target.Process);
        var extra = new Dictionary<string, object>();
        var label = setupsPerSecondPerPair > 0 ? "calls-paced" : "calls";
        var chatBeside = LoadRun.RunAsync($"{label}-chat/{target.Name}", target, chat, 1, chatRecorder(), runTime, new(), ChatRatePerSender);
        var clock = Stopwatch.StartNew();
        using (var stop = new CancellationTokenSource(runTime))
        using (new Timer(_ => Progress.Line($"  {label}/{target.Name}: {Interlocked.Read(ref setups)} setups, {Interlocked.Read(ref errors)} errors"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)))
            await Task.WhenAll(pairs.Select(p => Task.Run(async () =>
            {
                var pacing = Stopwatch.StartNew();
                for (var n = 0; n < MaxSetupsPerPair && !stop.IsCancellationRequested; n++)
                {
                    if (setupsPerSecondPerPair > 0 && TimeSpan.FromSeconds(n / setupsPerSecondPerPair) - pacing.Elapsed is { Ticks: > 0 } wait)
                        await Task.Delay(wait);
                    try
                    {
                        await SetUpAsync(p, ring, accept);
                        Interlocked.Increment(ref setups);
                    }
                    catch (Exception e)
                    {
                        if (Interlocked.Increment(ref errors) <= 3) Progress.Line($"  {label}/{target.Name}: setup failed: {e.Message}");
                    }
                }
            })));
        var seconds = clock.Elapsed.TotalSeconds;
        cpu.Report(extra);
        var beside = await chatBeside;

        var (acceptP50, acceptP95, acceptP99) = accept.Percentiles();
        extra["setups"] = setups;
        extra["seconds"] = Math.Round(seconds, 2);
        extra["acceptToCallerUpdatedP50Ms"] = Math.Round(acceptP50, 2);
        extra["acceptToCallerUpdatedP95Ms"] = Math.Round(acceptP95, 2);
        extra["acceptToCallerUpdatedP99Ms"] = Math.Round(acceptP99, 2);
        extra["chatBesideCalls"] = beside.ToJson();
        Progress.Line($"  {label}/{target.Name}: {setups / seconds:0.0} setups/s; ring p99 {ring.Percentiles().P99:0.0} ms, accept p99 {acceptP99:0.0} ms; chat p99 beside {beside.P99Ms:0.0} ms");
        return SideResult.From(setups / seconds, ring, errors + beside.Errors, extra);
    }

    /// <summary>One call from ringing to hang-up; records the ring and accept latencies when given recorders.</summary>
    static async Task SetUpAsync(Pair p, LatencyRecorder? ring, LatencyRecorder? accept)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        var ct = timeout.Token;
        var started = Stopwatch.GetTimestamp();
        var call = await p.Caller.InvokeAsync<JsonElement>("StartCall", p.ConversationId, "video", ct);
        var callId = Id(call);
        var rang = await Next(p.Rang, callId, ct);
        ring?.Record(Stopwatch.GetElapsedTime(started, rang.At).TotalMilliseconds);
        try
        {
            var accepting = Stopwatch.GetTimestamp();
            await p.Callee.InvokeAsync<JsonElement>("AcceptCall", callId, ct);
            var accepted = await Next(p.Accepted, callId, ct);
            accept?.Record(Stopwatch.GetElapsedTime(accepting, accepted.At).TotalMilliseconds);

            await p.Callee.InvokeAsync("SendCallSignal", callId, p.CallerId, Offer, ct);
            await NextSignal(p.SignalsAtCaller, callId, ct);
            await p.Caller.InvokeAsync("SendCallSignal", callId, p.CalleeId, Answer, ct);
            await NextSignal(p.SignalsAtCallee, callId, ct);
            for (var i = 0; i < 2; i++)
            {
                await p.Callee.InvokeAsync("SendCallSignal", callId, p.CallerId, Candidate, ct);
                await p.Caller.InvokeAsync("SendCallSignal", callId, p.CalleeId, Candidate, ct);
            }
            for (var i = 0; i < 2; i++)
            {
                await NextSignal(p.SignalsAtCaller, callId, ct);
                await NextSignal(p.SignalsAtCallee, callId, ct);
            }
        }
        finally
        {
            await p.Caller.InvokeAsync<JsonElement>("LeaveCall", callId, CancellationToken.None);
        }
        while (await p.EndedAtCallee.Reader.ReadAsync(ct) != callId) { }
    }

    static async Task<(string CallId, long At)> Next(Channel<(string CallId, long At)> channel, string callId, CancellationToken ct)
    {
        while (true)
        {
            var item = await channel.Reader.ReadAsync(ct);
            if (item.CallId == callId) return item;
        }
    }

    static async Task NextSignal(Channel<string> channel, string callId, CancellationToken ct)
    {
        while (await channel.Reader.ReadAsync(ct) != callId) { }
    }

    static string Id(JsonElement call) => call.GetProperty("callId").GetString()!;

    static string State(JsonElement call) => call.GetProperty("state").GetString()!;

    // A realistic size: Chromium's offer for audio and video is about 5 KB.
    static readonly string Sdp = "v=0\r\n" + string.Concat(Enumerable.Repeat("a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n", 60));
    static readonly object Offer = new { description = new { type = "offer", sdp = Sdp } };
    static readonly object Answer = new { description = new { type = "answer", sdp = Sdp } };
    static readonly object Candidate = new { candidate = new { candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", sdpMid = "0", sdpMLineIndex = 0 } };
}
