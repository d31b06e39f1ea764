using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Grains.Chat;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Realtime;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Accounts;

/// <summary>
/// Revoking a user's tokens (logout, a new password, closing the account) closes the live
/// connections opened with them, on every WebFront, within a second or two.
/// </summary>
public sealed class SessionRevocationTests
{
    static readonly TimeSpan Promptly = TimeSpan.FromSeconds(2);

    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    /// <summary>A hub connection and a ginchat socket of one user, opened with one token.</summary>
    sealed class Connections : IAsyncDisposable
    {
        public required ChatClient Hub { get; init; }
        public required ClientWebSocket Socket { get; init; }
        public required Task HubClosed { get; init; }

        public static async Task<Connections> OpenAsync(GoChatHost host, long userId, string token)
        {
            var hub = await ChatClient.ConnectAsync(host, token);
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hub.Connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new UriBuilder(new Uri(host.BaseAddress, $"/user/sendUserMsg?userId={userId}&token={token}")) { Scheme = "ws" }.Uri,
                CancellationToken.None);
            return new Connections { Hub = hub, Socket = socket, HubClosed = closed.Task };
        }

        /// <summary>Both receive a direct message sent by <paramref name="sender"/> now.</summary>
        public async Task AssertReceive(ChatClient sender, string conversation, string text)
        {
            await sender.Send(conversation, Guid.NewGuid().ToString("N"), text);
            await Hub.WaitFor("message", m => m.GetProperty("text").GetString() == text);
            Assert.Equal(text, JsonDocument.Parse(await NextText(Socket)).RootElement.GetProperty("Content").GetString());
        }

        /// <summary>Both are closed by the server within <paramref name="within"/>: the hub client sees its connection close, the socket a 1008 close.</summary>
        public async Task AssertClosedWithin(TimeSpan within)
        {
            await HubClosed.WaitAsync(within);
            Assert.Equal(HubConnectionState.Disconnected, Hub.Connection.State);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseStatus(Socket, within));
        }

        public async ValueTask DisposeAsync()
        {
            await Hub.DisposeAsync();
            Socket.Dispose();
        }
    }

    static async Task<string> NextText(WebSocket socket)
    {
        var (text, type) = await socket.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return text;
    }

    /// <summary>How the server closed the socket; a text frame before the close fails (nothing may arrive after the revocation).</summary>
    static async Task<WebSocketCloseStatus?> CloseStatus(ClientWebSocket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
        Assert.True(result.MessageType == WebSocketMessageType.Close, $"received {Encoding.UTF8.GetString(buffer, 0, result.Count)} instead of a close");
        return socket.CloseStatus;
    }

    static async Task<string> LoginAsync(GoChatHost host, string username)
    {
        using var client = host.Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "secret-pw" });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task Logout_closes_the_users_hub_connections_and_sockets_at_once_and_leaves_other_users_alone()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);
        await using var before = await Connections.OpenAsync(host, aliceId, alice);
        await before.AssertReceive(bobHub, conversation, "before logout");

        using var aliceHttp = host.Client(alice);
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await aliceHttp.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await bobHub.Send(conversation, "after-logout", "after logout");
        await before.AssertClosedWithin(Promptly);
        Assert.True(clock.Elapsed < Promptly, $"closed {clock.Elapsed} after logout");
        Assert.DoesNotContain(before.Hub.Events("message"), m => m.GetProperty("text").GetString() == "after logout");

        // Signed in again: connections with the new token work, and Bob's never stopped.
        await using var after = await Connections.OpenAsync(host, aliceId, await LoginAsync(host, "alice"));
        await after.AssertReceive(bobHub, conversation, "after login");
        await after.Hub.Send(conversation, "from-new-session", "hello again");
        await bobHub.WaitFor("message", m => m.GetProperty("text").GetString() == "hello again");
        Assert.Equal(HubConnectionState.Connected, bobHub.Connection.State);
    }

    [Fact]
    public async Task Logout_on_one_WebFront_closes_the_users_connections_on_another()
    {
        await using var first = await GoChatHost.StartAsync();
        var (aliceId, alice) = await first.RegisterAsync("alice");
        var (bobId, bob) = await first.RegisterAsync("bob");
        await using var second = await GoChatHost.StartAsync(first.ConnectionString);
        await using var bobHub = await ChatClient.ConnectAsync(second, bob);
        await using var aliceThere = await Connections.OpenAsync(second, aliceId, alice);
        await aliceThere.AssertReceive(bobHub, Direct(aliceId, bobId), "before logout");

        using var aliceHttp = first.Client(alice);
        Assert.Equal(HttpStatusCode.NoContent, (await aliceHttp.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await aliceThere.AssertClosedWithin(Promptly);
        Assert.Equal(HubConnectionState.Connected, bobHub.Connection.State);
    }

    [Fact]
    public async Task A_new_password_closes_the_connections_opened_before_and_answers_with_a_token_that_works()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);
        await using var before = await Connections.OpenAsync(host, aliceId, alice);

        using var aliceHttp = host.Client(alice);
        var changed = await aliceHttp.PatchAsJsonAsync("/api/v1/users/me", new { password = "new-secret" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var newToken = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        await before.AssertClosedWithin(Promptly);
        Assert.Equal(HttpStatusCode.Unauthorized, (await aliceHttp.GetAsync("/api/v1/users/me")).StatusCode);

        await using var after = await Connections.OpenAsync(host, aliceId, newToken);
        await after.AssertReceive(bobHub, Direct(aliceId, bobId), "after the new password");

        // ginchat's updateUser hands the replacement token back in Identity, as its login does.
        using var anonymous = host.Client();
        var ginchat = await LegacyDialectAccountTests.Ginchat(anonymous, "/user/updateUser",
            new() { ["token"] = newToken, ["id"] = aliceId.ToString(), ["password"] = "newer-secret" });
        Assert.Equal(0, ginchat.GetProperty("code").GetInt32());
        await after.AssertClosedWithin(Promptly);
        using var withIdentity = host.Client(ginchat.GetProperty("data").GetProperty("Identity").GetString());
        Assert.Equal(HttpStatusCode.OK, (await withIdentity.GetAsync("/api/v1/users/me")).StatusCode);
        // Changing anything else keeps the session.
        var renamed = await withIdentity.PatchAsJsonAsync("/api/v1/users/me", new { displayName = "Alice" });
        Assert.False((await renamed.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("token", out _));
        Assert.Equal(HttpStatusCode.OK, (await withIdentity.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Closing_the_account_closes_its_connections_the_broadcast_socket_too()
    {
        await using var host = await GoChatHost.StartAsync();
        // The first account of a server is its administrator, and the last one cannot delete their account.
        await host.RegisterAsync("operator");
        var (aliceId, alice) = await host.RegisterAsync("alice");
        await using var before = await Connections.OpenAsync(host, aliceId, alice);
        using var broadcasts = new ClientWebSocket();
        await broadcasts.ConnectAsync(new UriBuilder(new Uri(host.BaseAddress, $"/user/sendMsg?token={alice}")) { Scheme = "ws" }.Uri, CancellationToken.None);
        using var anonymous = host.Client();
        var deleted = await LegacyDialectAccountTests.Ginchat(anonymous, $"/user/deleteUser?id={aliceId}&token={alice}", null);
        Assert.Equal(0, deleted.GetProperty("code").GetInt32());
        await before.AssertClosedWithin(Promptly);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseStatus(broadcasts, Promptly));
    }

    [Fact]
    public async Task A_revocation_a_lost_route_missed_closes_the_connections_when_the_route_is_attached_again()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        await using var before = await Connections.OpenAsync(host, aliceId, alice);

        // The route grains forget this WebFront (as when their silo dies): the logout's event reaches nobody.
        await host.DeactivateRouteGrainsAsync();
        using var aliceHttp = host.Client(alice);
        Assert.Equal(HttpStatusCode.NoContent, (await aliceHttp.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await Task.Delay(500);
        Assert.False(before.HubClosed.IsCompleted);

        // What the lease does periodically and when a silo leaves the cluster: the forgotten route makes its sessions check their token.
        await host.Services.GetRequiredService<RouteLease>().RenewAll(CancellationToken.None);
        await before.AssertClosedWithin(Promptly);
    }

    [Fact]
    public async Task A_connection_whose_token_was_checked_before_a_revocation_this_WebFront_heard_is_refused_though_the_route_was_attached()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, token) = await host.RegisterAsync("alice");
        var revoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Something of alice's keeps her route attached here all along (as her other connections would).
        await using var holding = await host.Services.GetRequiredService<RouteListeners>().Listen([RouteKey.ForUser(aliceId)], e =>
        {
            if (e is TokensRevoked) revoked.TrySetResult();
            return Task.CompletedTask;
        });

        // A connection's token is checked; a logout is heard here before the connection gets to watch its session.
        var checkedAt = Stopwatch.GetTimestamp();
        var caller = await host.Services.GetRequiredService<TokenService>().AuthenticateAsync(token);
        Assert.NotNull(caller);
        using (var aliceHttp = host.Client(token))
            Assert.Equal(HttpStatusCode.NoContent, (await aliceHttp.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await revoked.Task.WaitAsync(Promptly);

        var revocation = host.Services.GetRequiredService<SessionRevocation>();
        Assert.Null(await revocation.Watch(caller, () => Task.CompletedTask, checkedAt));
        // A token checked after that is watched without asking the user grain again, and watched for real.
        var fresh = await LoginAsync(host, "alice");
        var freshCheckedAt = Stopwatch.GetTimestamp();
        var freshCaller = await host.Services.GetRequiredService<TokenService>().AuthenticateAsync(fresh);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var watching = await revocation.Watch(freshCaller!, () => { closed.TrySetResult(); return Task.CompletedTask; }, freshCheckedAt);
        Assert.NotNull(watching);
        using (var aliceHttp = host.Client(fresh))
            Assert.Equal(HttpStatusCode.NoContent, (await aliceHttp.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await closed.Task.WaitAsync(Promptly);
    }
}
