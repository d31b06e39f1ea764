using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.Security;

/// <summary>
/// Abuse limits against one <see cref="LimitedHost"/>: the message rate in every dialect, connections per
/// account, and that both hold across the WebFronts of a cluster. Allowances and sizes are in the files beside this one.
/// </summary>
public sealed partial class AbuseLimitTests(LimitedHost limited) : IClassFixture<LimitedHost>
{
    GoChatHost Host => limited.Host;

    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    static Task<HttpResponseMessage> Post(HttpClient client, string conversation, string clientMsgId) =>
        client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId, kind = "text", text = $"text of {clientMsgId}" });

    [Fact]
    public async Task Messages_past_the_burst_are_refused_in_every_dialect_with_the_reason_and_other_senders_are_untouched()
    {
        var (aliceId, alice) = await Host.RegisterAsync("burst_alice");
        var (bobId, bob) = await Host.RegisterAsync("burst_bob");
        var direct = Direct(aliceId, bobId);
        using var aliceHttp = Host.Client(alice);
        for (var i = 0; i < LimitedHost.MessageBurst; i++)
            Assert.Equal(HttpStatusCode.Created, (await Post(aliceHttp, direct, $"ok-{i}")).StatusCode);

        var native = await Post(aliceHttp, direct, "one-too-many");
        Assert.Equal(HttpStatusCode.TooManyRequests, native.StatusCode);
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("rate limited: you are sending messages too fast (at most 0.01 a second)", await Detail(native));
        Assert.True(native.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After");

        await using var hub = await ChatClient.ConnectAsync(Host, alice);
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.Send(direct, "hub-1", "from the hub"));
        Assert.Contains("rate limited: you are sending messages too fast", refused.Message);

        using var anonymous = Host.Client();
        var douyin = await Douyin(anonymous, HttpMethod.Post, $"/douyin/message/action/?token={alice}&to_user_id={bobId}&action_type=1&content=hi");
        Assert.Equal(7, douyin.GetProperty("status_code").GetInt32());
        Assert.Contains("rate limited", douyin.GetProperty("status_msg").GetString());

        using var socket = await Connect($"/user/sendUserMsg?userId={aliceId}&token={alice}");
        for (var i = 0; i < 2; i++)
        {
            await SendText(socket, JsonSerializer.Serialize(new { TargetId = bobId, Type = 1, Media = 1, Content = $"socket {i}" }));
            Assert.Contains("rate limited", Frame(await ReceiveText(socket)).GetProperty("Desc").GetString());
        }
        Assert.Equal(WebSocketState.Open, socket.State);

        // Nothing refused was stored, and the other side of the conversation sends as usual.
        using var bobHttp = Host.Client(bob);
        Assert.Equal(HttpStatusCode.Created, (await Post(bobHttp, direct, "bob-1")).StatusCode);
        var history = await bobHttp.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{direct}/messages");
        Assert.Equal(["ok-0", "ok-1", "ok-2", "bob-1"], history!.Select(m => m.GetProperty("clientMsgId").GetString()));
    }

    [Fact]
    public async Task A_connection_past_the_accounts_limit_is_refused_with_the_reason_until_another_closes()
    {
        var (_, token) = await Host.RegisterAsync("many_tabs");
        var open = new List<ChatClient>();
        try
        {
            for (var i = 0; i < LimitedHost.ConnectionsPerUser; i++) open.Add(await ChatClient.ConnectAsync(Host, token));
            Assert.Contains("too many connections: an account may hold 2 at a time", await RefusedConnection(token));

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await ChatClient.ConnectAsync(Host, token)); // room again

            var (_, someoneElse) = await Host.RegisterAsync("one_tab");
            open.Add(await ChatClient.ConnectAsync(Host, someoneElse));
        }
        finally
        {
            foreach (var client in open) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ginchat_sockets_count_with_the_hub_connections_of_their_account()
    {
        var (id, token) = await Host.RegisterAsync("legacy_tabs");
        var path = $"/user/sendUserMsg?userId={id}&token={token}";
        await using var hub = await ChatClient.ConnectAsync(Host, token);
        using var socket = await Connect(path);

        Assert.Contains("too many connections: an account may hold 2 at a time", await RefusedConnection(token));
        using var third = new ClientWebSocket();
        third.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() =>
            third.ConnectAsync(new UriBuilder(new Uri(Host.BaseAddress, path)) { Scheme = "ws" }.Uri, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, third.HttpStatusCode); // ginchat's {code: -1} answer instead of the upgrade

        // Closing the socket makes room again (the server uncounts it as the socket ends).
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await using var again = await ChatClient.ConnectAsync(Host, token);
                await again.Connection.InvokeAsync<JsonElement>("Sync");
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Limits_hold_across_the_WebFronts_of_a_cluster()
    {
        await using var second = await GoChatHost.StartAsync(Host.ConnectionString, LimitedHost.Settings);
        var (aliceId, alice) = await Host.RegisterAsync("cluster_alice");
        var (bobId, _) = await Host.RegisterAsync("cluster_bob");
        var direct = Direct(aliceId, bobId);
        using var first = Host.Client(alice);
        using var other = second.Client(alice);

        // Messages: one burst for both WebFronts together.
        Assert.Equal(HttpStatusCode.Created, (await Post(first, direct, "a")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Post(other, direct, "b")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Post(first, direct, "c")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Post(other, direct, "d")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Post(first, direct, "e")).StatusCode);

        // Connections: counted where the account is, not per WebFront.
        await using var onFirst = await ChatClient.ConnectAsync(Host, alice);
        await using var onSecond = await ChatClient.ConnectAsync(second, alice);
        Assert.Contains("too many connections", await RefusedConnection(alice, second));
    }

    /// <summary>Opens a hub connection expected to be refused; the reason the server closed it with.</summary>
    async Task<string> RefusedConnection(string token, GoChatHost? on = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri((on ?? Host).BaseAddress, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            await connection.StartAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => connection.InvokeAsync<JsonElement>("Sync"));
            return (await closed.Task.WaitAsync(TimeSpan.FromSeconds(20)))?.Message ?? "";
        }
        catch (Exception e) when (e is HubException or HttpRequestException or InvalidOperationException)
        {
            return e.Message;
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    async Task<ClientWebSocket> Connect(string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(Host.BaseAddress, pathAndQuery)) { Scheme = "ws" }.Uri, CancellationToken.None);
        return socket;
    }

    static Task SendText(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    static async Task<string> ReceiveText(WebSocket socket) => (await socket.ReceiveMessageAsync()).Text;

    static JsonElement Frame(string text) => JsonDocument.Parse(text).RootElement;

    static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }

    static async Task<string> Detail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? "";
}
