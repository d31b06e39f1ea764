using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace GoChat.Tests.HostileInput;

/// <summary>What the hub answered an invocation with: its error, its result, or that the connection closed (and why).</summary>
public sealed record HubAnswer(string? Error, string? Result, string? Closed)
{
    public override string ToString() => Closed is not null ? $"closed: {Closed}" : Error is not null ? $"error: {Error}" : $"result: {Result}";
}

/// <summary>
/// A client of /hubs/chat that writes SignalR's JSON hub protocol by hand over a WebSocket (no
/// negotiation), so that what no real client would send reaches the server as written: a lone
/// surrogate as its \u escape (a serializer would send U+FFFD), a number too large for any integer,
/// arguments of the wrong type or count, frames that are not the protocol at all.
/// </summary>
public sealed class HubWire : IAsyncDisposable
{
    const char RecordSeparator = '\u001e';
    readonly ClientWebSocket _socket;
    readonly Queue<string> _received = new();
    readonly StringBuilder _partial = new();
    readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    int _nextId;

    HubWire(ClientWebSocket socket) => _socket = socket;

    public bool Open => _socket.State == WebSocketState.Open;

    public static async Task<HubWire> ConnectAsync(Uri baseAddress, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await socket.ConnectAsync(new UriBuilder(new Uri(baseAddress, "/hubs/chat")) { Scheme = "ws" }.Uri, CancellationToken.None);
        var wire = new HubWire(socket);
        await wire.SendFrameAsync("{\"protocol\":\"json\",\"version\":1}");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var handshake = await wire.ReceiveAsync(deadline.Token);
        if (handshake is null || handshake.Contains("\"error\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"the hub refused the handshake: {handshake}");
        return wire;
    }

    /// <summary>Sends one protocol message (the record separator is added).</summary>
    public Task SendFrameAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Invokes <paramref name="target"/> with <paramref name="arguments"/> (a JSON array, as written) and waits for its completion.</summary>
    public async Task<HubAnswer> InvokeAsync(string target, string arguments)
    {
        var id = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendFrameAsync($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":{HostileString.Escaped(target)},\"arguments\":{arguments}}}");
        return await CompletionAsync(id);
    }

    /// <summary>The completion of invocation <paramref name="id"/> (within 20 seconds), skipping pings and the events the server pushes meanwhile.</summary>
    public async Task<HubAnswer> CompletionAsync(string id)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await ReceiveAsync(deadline.Token) is not { } message) return new HubAnswer(null, null, $"{_socket.CloseStatus} {_socket.CloseStatusDescription}");
            using var json = JsonDocument.Parse(message);
            var root = json.RootElement;
            switch (root.GetProperty("type").GetInt32())
            {
                case 3 when root.TryGetProperty("invocationId", out var completed) && completed.GetString() == id:
                    return root.TryGetProperty("error", out var error)
                        ? new HubAnswer(error.GetString(), null, null)
                        : new HubAnswer(null, root.TryGetProperty("result", out var result) ? result.GetRawText() : "", null);
                case 7:
                    return new HubAnswer(null, null, root.TryGetProperty("error", out var why) ? why.GetString() ?? "closed" : "closed without an error");
            }
        }
    }

    /// <summary>The next protocol message, or null when the socket closed (before <paramref name="deadline"/>, or the test fails).</summary>
    public async Task<string?> ReceiveAsync(CancellationToken deadline)
    {
        var buffer = new byte[64 * 1024];
        while (_received.Count == 0)
        {
            if (_socket.State != WebSocketState.Open) return null;
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(), deadline);
            }
            catch (WebSocketException)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the hub sent nothing for 20 seconds (the socket is {_socket.State})");
            }
            if (result.MessageType == WebSocketMessageType.Close) return null;
            var chars = new char[Encoding.UTF8.GetMaxCharCount(result.Count)];
            _partial.Append(chars, 0, _utf8.GetChars(buffer, 0, result.Count, chars, 0));
            var text = _partial.ToString();
            var end = text.LastIndexOf(RecordSeparator);
            if (end < 0) continue;
            foreach (var message in text[..end].Split(RecordSeparator)) _received.Enqueue(message);
            _partial.Clear().Append(text[(end + 1)..]);
        }
        return _received.Dequeue();
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        _socket.Dispose();
    }
}
