using System.Net.WebSockets;
using System.Text;

namespace GoChat.Tests.Infrastructure;

/// <summary>Reading whole messages from a test's WebSocket (ginchat sockets), with a time limit.</summary>
public static class WebSocketMessages
{
    /// <summary>The next whole message (its frames joined) and its type; fails after 20 s.</summary>
    public static async Task<(string Text, WebSocketMessageType Type)> ReceiveMessageAsync(this WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
        } while (!result.EndOfMessage);
        return (Encoding.UTF8.GetString(buffer, 0, length), result.MessageType);
    }
}
