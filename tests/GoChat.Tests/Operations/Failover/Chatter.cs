using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Operations.Failover;

/// <summary>A send the server acknowledged: when (on the test's clock), where, and what it was stored as.</summary>
public sealed record Acknowledged(TimeSpan At, string ConversationId, string ClientMsgId, string Text, long Seq, long MessageId);

/// <summary>
/// One person under load, behaving as docs/api.md asks of a client: one message at a time over the
/// hub, a failed send retried with the same clientMsgId, a dropped connection replaced by one to
/// another WebFront (as a load balancer would), and after every (re)connect and every `resync`
/// event, Sync and the gaps fetched from history by seq. It records what was acknowledged and what
/// it holds of each conversation, so a test can compare both with what was stored.
/// </summary>
public sealed class Chatter(string name, long userId, string token, IReadOnlyList<ClusterNode> fronts, int front, Stopwatch clock) : IAsyncDisposable
{
    static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(150);
    static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    const int HistoryPage = 200;

    readonly Lock _gate = new();
    readonly List<Acknowledged> _acks = [];
    readonly Dictionary<string, Dictionary<long, long>> _held = [];
    readonly Dictionary<string, long> _fetchedThrough = [];
    readonly List<string> _conflicts = [];
    HubConnection? _hub;
    HttpClient? _http;
    volatile bool _resyncWanted;
    volatile IReadOnlyList<string> _conversations = [];

    public string Name => name;
    public long UserId => userId;
    public ClusterNode Front => fronts[front];
    public int Reconnects { get; private set; }

    public IReadOnlyList<Acknowledged> Acks
    {
        get { lock (_gate) return [.. _acks]; }
    }

    /// <summary>Seqs held of a conversation, each with the id of the message it was held as.</summary>
    public IReadOnlyDictionary<long, long> Held(string conversationId)
    {
        lock (_gate) return _held.TryGetValue(conversationId, out var held) ? new Dictionary<long, long>(held) : [];
    }

    /// <summary>A seq seen as two different messages (live or from history): a duplicate or a reordering.</summary>
    public IReadOnlyList<string> Conflicts
    {
        get { lock (_gate) return [.. _conflicts]; }
    }

    /// <summary>Connects to its WebFront (or the next one that answers) and syncs.</summary>
    public async Task ConnectAsync(IReadOnlyList<string> conversations)
    {
        _conversations = conversations;
        await ReconnectAsync(clock.Elapsed + GiveUpAfter);
    }

    /// <summary>Adds a conversation (a group it was just added to) to those it sends into.</summary>
    public void Join(string conversationId) => _conversations = [.. _conversations, conversationId];

    /// <summary>
    /// Sends into its conversations in turn, one message at a time, until <paramref name="stop"/> or
    /// <paramref name="maxSends"/>; the message under way when asked to stop is still seen through.
    /// </summary>
    public async Task RunAsync(int maxSends, CancellationToken stop)
    {
        for (var i = 0; i < maxSends && !stop.IsCancellationRequested; i++)
        {
            var conversations = _conversations;
            await SendUntilAcknowledgedAsync(conversations[i % conversations.Count], $"{name}-{i}", $"{name} says {i}");
            if (_resyncWanted) await TryResyncAsync();
            try
            {
                await Task.Delay(Pace, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Fills every gap from history, retrying until it succeeds (bounded).</summary>
    public async Task ResyncAsync()
    {
        var deadline = clock.Elapsed + GiveUpAfter;
        while (!await TryResyncAsync())
        {
            Assert.True(clock.Elapsed < deadline, $"{name} could not resync within {GiveUpAfter}");
            if (_hub?.State != HubConnectionState.Connected) await ReconnectAsync(deadline);
            await Task.Delay(RetryPause);
        }
    }

    async Task SendUntilAcknowledgedAsync(string conversationId, string clientMsgId, string text)
    {
        var deadline = clock.Elapsed + GiveUpAfter;
        while (true)
        {
            Assert.True(clock.Elapsed < deadline, $"{name}: '{clientMsgId}' was not acknowledged within {GiveUpAfter}");
            if (_hub?.State != HubConnectionState.Connected) await ReconnectAsync(deadline);
            using var attempt = new CancellationTokenSource(AttemptTimeout);
            try
            {
                var sent = await _hub!.InvokeAsync<JsonElement>("SendMessage", new { conversationId, clientMsgId, kind = "text", text }, attempt.Token);
                var seq = sent.GetProperty("seq").GetInt64();
                var id = sent.GetProperty("id").GetInt64();
                lock (_gate) _acks.Add(new Acknowledged(clock.Elapsed, conversationId, clientMsgId, text, seq, id));
                Hold(conversationId, seq, id);
                return;
            }
            catch (HubException)
            {
                // "try again": the database or a server of the cluster was away.
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested)
            {
                // No answer in time: the hub runs one call per connection at a time, so a retry on this
                // connection would queue behind the lost one. Start afresh on a new connection.
                await DropConnectionAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
            {
                // The connection closed under the call (its WebFront died or stopped).
            }
            await Task.Delay(RetryPause);
        }
    }

    async Task ReconnectAsync(TimeSpan deadline)
    {
        var first = _hub is null;
        await DropConnectionAsync();
        while (true)
        {
            Assert.True(clock.Elapsed < deadline, $"{name} could not connect to any WebFront within {GiveUpAfter}");
            var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(Front.Address, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            hub.On<JsonElement>("message", m => Hold(m.GetProperty("conversationId").GetString()!, m.GetProperty("seq").GetInt64(), m.GetProperty("id").GetInt64()));
            hub.On<JsonElement>("resync", _ => _resyncWanted = true);
            try
            {
                using var attempt = new CancellationTokenSource(AttemptTimeout);
                await hub.StartAsync(attempt.Token);
                _hub = hub;
                _http = new HttpClient { BaseAddress = Front.Address, Timeout = AttemptTimeout };
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (!first) Reconnects++;
                _resyncWanted = true;
                await TryResyncAsync();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or HubException or IOException or System.Net.WebSockets.WebSocketException)
            {
                await hub.DisposeAsync();
                // This front is down or could not take the connection just now: try the next one.
                front = (front + 1) % fronts.Count;
                await Task.Delay(RetryPause);
            }
        }
    }

    /// <summary>Sync, then each conversation's history after what was already fetched; false if anything failed.</summary>
    async Task<bool> TryResyncAsync()
    {
        _resyncWanted = false;
        try
        {
            using var attempt = new CancellationTokenSource(AttemptTimeout);
            await _hub!.InvokeAsync<JsonElement>("Sync", attempt.Token);
            foreach (var conversationId in _conversations)
            {
                long after;
                lock (_gate) after = _fetchedThrough.GetValueOrDefault(conversationId);
                while (true)
                {
                    var page = await _http!.GetFromJsonAsync<JsonElement>(
                        $"/api/v1/conversations/{Uri.EscapeDataString(conversationId)}/messages?afterSeq={after}&limit={HistoryPage}", attempt.Token);
                    foreach (var message in page.EnumerateArray())
                    {
                        after = message.GetProperty("seq").GetInt64();
                        Hold(conversationId, after, message.GetProperty("id").GetInt64());
                    }
                    lock (_gate) _fetchedThrough[conversationId] = after;
                    if (page.GetArrayLength() < HistoryPage) break;
                }
            }
            return true;
        }
        catch (Exception e) when (e is HubException or HttpRequestException or OperationCanceledException or InvalidOperationException or IOException)
        {
            _resyncWanted = true;
            return false;
        }
    }

    void Hold(string conversationId, long seq, long messageId)
    {
        lock (_gate)
        {
            if (!_held.TryGetValue(conversationId, out var held)) _held[conversationId] = held = [];
            if (held.TryGetValue(seq, out var known) && known != messageId)
                _conflicts.Add($"{conversationId} seq {seq}: message {known}, then {messageId}");
            held[seq] = messageId;
        }
    }

    async Task DropConnectionAsync()
    {
        if (_hub is { } hub)
        {
            _hub = null;
            await hub.DisposeAsync();
        }
        _http?.Dispose();
        _http = null;
    }

    public async ValueTask DisposeAsync() => await DropConnectionAsync();
}
