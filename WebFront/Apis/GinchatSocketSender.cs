using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace GoChat.WebFront.Apis;

/// <summary>
/// A ginchat socket's sending side (<see cref="GinchatSockets"/> reads it): serialises sends on one
/// socket (deliveries and replies may overlap), drops sends before it opens and after the server
/// began closing it, and runs the closing handshake.
/// </summary>
internal sealed class GinchatSocketSender
{
    static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly CancellationTokenSource _cutOff = new(); // not disposed: a close may race the end of the session
    volatile CloseFrame? _closing;

    sealed record CloseFrame(WebSocketCloseStatus Status, string Reason);

    public WebSocket? Socket { get; private set; }

    /// <summary>Cancelled when a client that was sent a close did not answer it in time.</summary>
    public CancellationToken CutOff => _cutOff.Token;

    /// <summary>Whether the server began closing the socket: frames read after that are not acted on.</summary>
    public bool Closing => _closing is not null;

    /// <summary>Opens the sender on the accepted socket, and closes it at once if that was asked for meanwhile.</summary>
    public async Task Open(WebSocket socket)
    {
        CloseFrame? closing;
        await _lock.WaitAsync();
        try
        {
            Socket = socket;
            closing = _closing;
        }
        finally
        {
            _lock.Release();
        }
        if (closing is { } c) await CloseOutput(c.Status, c.Reason);
    }

    public Task Send(GinchatMessage message) => SendText(JsonSerializer.Serialize(message, GinchatDialect.Json));

    /// <summary>
    /// Starts the closing handshake (once); the receive loop ends when the client answers, or
    /// when it is cut off for not answering within 2 seconds.
    /// </summary>
    public async Task Close(WebSocketCloseStatus status, string reason)
    {
        await _lock.WaitAsync();
        try
        {
            if (_closing is not null) return;
            _closing = new CloseFrame(status, reason);
            _cutOff.CancelAfter(CloseGrace);
        }
        finally
        {
            _lock.Release();
        }
        await CloseOutput(status, reason);
    }

    async Task CloseOutput(WebSocketCloseStatus status, string reason)
    {
        await _lock.WaitAsync();
        try
        {
            if (Socket is { State: WebSocketState.Open }) await Socket.CloseOutputAsync(status, reason, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            // the client went away meanwhile
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task SendText(string text)
    {
        await _lock.WaitAsync();
        try
        {
            if (_closing is null && Socket is { State: WebSocketState.Open })
                await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // the client went away; the receive loop ends the session
        }
        finally
        {
            _lock.Release();
        }
    }
}
