using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Infrastructure;

/// <summary>A real SignalR client of /hubs/chat that records every event it receives.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    public HubConnection Connection { get; }
    readonly ConcurrentQueue<(string Event, JsonElement Payload)> _events = new();
    readonly SemaphoreSlim _arrived = new(0);

    ChatClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var name in new[] { "message", "messageUpdated", "read", "typing", "conversationUpdated", "presence", "resync", "callRinging", "callUpdated", "callSignal", "messageStreaming" })
            connection.On<JsonElement>(name, payload =>
            {
                _events.Enqueue((name, payload));
                _arrived.Release();
            });
    }

    public static Task<ChatClient> ConnectAsync(GoChatHost host, string token, bool messagePack = false, string? device = null) =>
        ConnectAsync(host.BaseAddress, token, messagePack, device: device);

    /// <summary>
    /// Connects to the hub at <paramref name="baseAddress"/> (a WebFront or a proxy in front of several);
    /// <paramref name="device"/> names the page or app, as the web client does, so a reconnect takes its place in a call.
    /// </summary>
    public static async Task<ChatClient> ConnectAsync(Uri baseAddress, string token, bool messagePack = false, Action<HttpConnectionOptions>? configure = null,
        string? device = null)
    {
        var path = device is null ? "/hubs/chat" : $"/hubs/chat?device={Uri.EscapeDataString(device)}";
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, path), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                configure?.Invoke(o);
            });
        if (messagePack) builder.AddMessagePackProtocol();
        var client = new ChatClient(builder.Build());
        await client.Connection.StartAsync();
        // Like a real client: once Sync returns, the server has finished setting up this connection's delivery.
        await client.Connection.InvokeAsync<JsonElement>("Sync");
        return client;
    }

    public IReadOnlyList<JsonElement> Events(string name) => _events.Where(e => e.Event == name).Select(e => e.Payload).ToList();

    /// <summary>Waits until at least <paramref name="count"/> events of a kind have arrived.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitFor(string name, int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (Events(name).Count < count && DateTime.UtcNow < deadline)
            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(100));
        var events = Events(name);
        Assert.True(events.Count >= count, $"expected {count} '{name}' events, got {events.Count}");
        return events;
    }

    /// <summary>Waits for an event of a kind that matches; delivery is at least once and may race a new connection, so tests match by content or seq.</summary>
    public async Task<JsonElement> WaitFor(string name, Func<JsonElement, bool> match, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (Events(name).FirstOrDefault(match) is { ValueKind: not JsonValueKind.Undefined } found) return found;
            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(100));
        }
        return Events(name).FirstOrDefault(match) is { ValueKind: not JsonValueKind.Undefined } late ? late
            : throw new Xunit.Sdk.XunitException($"no matching '{name}' event within the time limit; got {Events(name).Count} others");
    }

    public Task<JsonElement> Send(string conversationId, string clientMsgId, string text) =>
        Connection.InvokeAsync<JsonElement>("SendMessage", new { conversationId, clientMsgId, kind = "text", text });

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
