using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoChat.Tests.Operations;

/// <summary>A stopping WebFront lets its real-time clients go at once, so a restart never waits on them.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task A_stopping_webfront_closes_its_sockets_and_hub_connections_and_refuses_new_ones()
    {
        var host = await GoChatHost.StartAsync();
        try
        {
            var (userId, token) = await host.RegisterAsync("leaving");
            await using var hub = await ChatClient.ConnectAsync(host, token);
            var hubClosed = new TaskCompletionSource();
            hub.Connection.Closed += _ => { hubClosed.TrySetResult(); return Task.CompletedTask; };
            using var socket = new ClientWebSocket();
            var socketUri = new UriBuilder(host.BaseAddress) { Scheme = "ws", Path = "/user/sendUserMsg", Query = $"userId={userId}&token={token}" }.Uri;
            await socket.ConnectAsync(socketUri, CancellationToken.None);

            // The host begins to stop (what SIGTERM does first), while it still serves requests.
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            // The ginchat socket is told the server is going away, and the hub connection is closed.
            using var within = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var received = await socket.ReceiveAsync(new byte[1024], within.Token);
            Assert.Equal(WebSocketMessageType.Close, received.MessageType);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
            await hubClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // New real-time connections are refused with a retry hint; plain requests are still answered.
            using var client = host.Client(token);
            var negotiate = await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), negotiate.Headers.RetryAfter?.Delta);
            await using var late = new HubConnectionBuilder()
                .WithUrl(new Uri(host.BaseAddress, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            await Assert.ThrowsAnyAsync<Exception>(() => late.StartAsync());
            using var lateSocket = new ClientWebSocket();
            await Assert.ThrowsAsync<WebSocketException>(() => lateSocket.ConnectAsync(socketUri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/users/me")).StatusCode);

            // With no connection left to drain, stopping takes no client's timeout.
            var stopping = Stopwatch.StartNew();
            await host.DisposeAsync();
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
