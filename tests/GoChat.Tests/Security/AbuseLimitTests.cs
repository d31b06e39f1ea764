using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.Security;

/// <summary>
/// One WebFront with small abuse limits, shared by the tests of a class. Each test uses accounts of
/// its own: what one account spends never touches another's allowance (which the tests also show).
/// </summary>
public sealed class LimitedHost : IAsyncLifetime
{
    public const int MessageBurst = 3;
    public const int UploadsPerHour = 2;
    public const int UploadBytesPerDay = 100_000;
    public const int PerDay = 2;
    public const int ConnectionsPerUser = 2;
    public const int WebSocketMessageBytes = 48 * 1024;
    public const int RequestBodyBytes = 64 * 1024;

    public static readonly string[] Settings =
    [
        // One message every 100 s after the burst: none come back while a test runs.
        "--GoChat:Limits:MessagesPerSecond=0.01",
        $"--GoChat:Limits:MessageBurst={MessageBurst}",
        $"--GoChat:Limits:UploadsPerHour={UploadsPerHour}",
        $"--GoChat:Limits:UploadBytesPerDay={UploadBytesPerDay}",
        $"--GoChat:Limits:GroupsPerDay={PerDay}",
        $"--GoChat:Limits:ContactRequestsPerDay={PerDay}",
        $"--GoChat:Limits:HubConnectionsPerUser={ConnectionsPerUser}",
        $"--GoChat:Limits:WebSocketMessageBytes={WebSocketMessageBytes}",
        $"--GoChat:Limits:RequestBodyBytes={RequestBodyBytes}",
    ];

    public GoChatHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GoChatHost.StartAsync(settings: Settings);
    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class AbuseLimitTests(LimitedHost limited) : IClassFixture<LimitedHost>
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
    public async Task Uploads_past_the_hourly_count_are_refused_natively_and_on_douyin()
    {
        var (_, token) = await Host.RegisterAsync("uploader");
        using var client = Host.Client(token);
        for (var i = 0; i < LimitedHost.UploadsPerHour; i++) await MediaTests.Upload(client, MediaTests.TinyPng(), "image/png");

        var refused = await client.PostAsync("/api/v1/media", MediaTests.Form(MediaTests.TinyPng(), "image/png"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("too many uploads (at most 2 an hour)", await Detail(refused));
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(20), "Retry-After should be about half an hour");

        // Refused before any tool looks at it: these bytes are no video.
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "token" },
            { new StringContent("my clip"), "title" },
            { new ByteArrayContent(new byte[1000]), "data", "clip.mp4" },
        };
        var douyin = await (await client.PostAsync("/douyin/publish/action/", form)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(7, douyin.GetProperty("status_code").GetInt32());
        Assert.Contains("too many uploads", douyin.GetProperty("status_msg").GetString());
    }

    [Fact]
    public async Task An_upload_past_the_days_bytes_is_refused_and_what_was_refused_is_not_counted()
    {
        var (userId, token) = await Host.RegisterAsync("byte_spender");
        using var client = Host.Client(token);
        await MediaTests.Upload(client, new byte[60_000], "application/octet-stream", "first.bin");

        var refused = await client.PostAsync("/api/v1/media", MediaTests.Form(new byte[60_000], "application/octet-stream", "second.bin"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("reached the 100,000 bytes a day allowed", await Detail(refused));
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(Host.ConnectionString, $"SELECT count(*) FROM media WHERE uploader_id = {userId}"));
    }

    [Fact]
    public async Task Group_creations_and_contact_requests_past_the_days_allowance_are_refused()
    {
        var (_, token) = await Host.RegisterAsync("organiser");
        var friends = new List<long>();
        for (var i = 0; i < 3; i++) friends.Add((await Host.RegisterAsync($"friend{i}")).UserId);
        using var client = Host.Client(token);

        for (var i = 0; i < LimitedHost.PerDay; i++)
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/groups", new { name = $"club {i}" })).StatusCode);
        var group = await client.PostAsJsonAsync("/api/v1/groups", new { name = "one club too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, group.StatusCode);
        Assert.Contains("too many new groups (at most 2 a day)", await Detail(group));
        Assert.True(group.Headers.RetryAfter?.Delta > TimeSpan.FromHours(11));

        for (var i = 0; i < LimitedHost.PerDay; i++)
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/contacts", new { userId = friends[i] })).StatusCode);
        var contact = await client.PostAsJsonAsync("/api/v1/contacts", new { userId = friends[2] });
        Assert.Equal(HttpStatusCode.TooManyRequests, contact.StatusCode);
        Assert.Contains("too many contact requests", await Detail(contact));
        var ginchat = await (await client.PostAsync("/contact/addFriend", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["userId"] = (await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me")).GetProperty("id").ToString(), ["targetName"] = "friend2",
        }))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(-1, ginchat.GetProperty("Code").GetInt32());
        Assert.Contains("too many contact requests", ginchat.GetProperty("Msg").GetString());

        // Someone else's allowance is their own.
        var (_, other) = await Host.RegisterAsync("other_organiser");
        using var otherClient = Host.Client(other);
        Assert.Equal(HttpStatusCode.Created, (await otherClient.PostAsJsonAsync("/api/v1/groups", new { name = "my own club" })).StatusCode);
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
    public async Task A_hub_message_past_the_size_limit_closes_that_connection_saying_why()
    {
        var (aliceId, alice) = await Host.RegisterAsync("big_talker");
        var (bobId, _) = await Host.RegisterAsync("big_listener");
        await using var hub = await ChatClient.ConnectAsync(Host, alice);
        var closed = new TaskCompletionSource<Exception?>();
        hub.Connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };

        var oversized = new string('a', LimitedHost.WebSocketMessageBytes);
        await Assert.ThrowsAnyAsync<Exception>(() => hub.Send(Direct(aliceId, bobId), "huge", oversized));
        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains($"message too large: messages to the hub are limited to {LimitedHost.WebSocketMessageBytes} bytes", reason?.Message);
    }

    [Fact]
    public async Task A_ginchat_frame_past_the_size_limit_is_answered_and_the_socket_stays_open()
    {
        var (ginId, gin) = await Host.RegisterAsync("gin_big");
        var (peerId, _) = await Host.RegisterAsync("gin_peer");
        using var socket = await Connect($"/user/sendUserMsg?userId={ginId}&token={gin}");

        var oversized = JsonSerializer.Serialize(new { TargetId = peerId, Type = 1, Media = 1, Content = new string('a', LimitedHost.WebSocketMessageBytes * 2) });
        await SendText(socket, oversized);
        Assert.Equal($"the message is too large: messages on this socket are limited to {LimitedHost.WebSocketMessageBytes} bytes",
            Frame(await ReceiveText(socket)).GetProperty("Desc").GetString());

        // The same socket still sends.
        await SendText(socket, JsonSerializer.Serialize(new { TargetId = peerId, Type = 1, Media = 1, Content = "small again" }));
        using var client = Host.Client(gin);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonElement[]? history;
        do history = await client.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{Direct(ginId, peerId)}/messages");
        while (history!.Length == 0 && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal("small again", Assert.Single(history).GetProperty("text").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task A_request_body_past_the_limit_is_refused_in_each_dialect_and_uploads_keep_their_own_limit()
    {
        var (userId, token) = await Host.RegisterAsync("wordy");
        using var client = Host.Client(token);
        var tooLong = new string('x', LimitedHost.RequestBodyBytes);

        var native = await client.PostAsJsonAsync("/api/v1/groups", new { name = "big", description = tooLong });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, native.StatusCode);
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"the request body is too large: this route accepts at most {LimitedHost.RequestBodyBytes} bytes", await Detail(native));

        var douyin = await Douyin(client, HttpMethod.Post, "/douyin/comment/action/",
            new() { ["token"] = token, ["video_id"] = "1", ["action_type"] = "1", ["comment_text"] = tooLong });
        Assert.Equal(6, douyin.GetProperty("status_code").GetInt32());
        Assert.Equal($"the request body is too large: this route accepts at most {LimitedHost.RequestBodyBytes} bytes", douyin.GetProperty("status_msg").GetString());

        var ginchat = await Ginchat(client, "/user/updateUser", new() { ["token"] = token, ["id"] = userId.ToString(), ["email"] = tooLong });
        Assert.Equal(-1, ginchat.GetProperty("code").GetInt32());
        Assert.Equal($"the request body is too large: this route accepts at most {LimitedHost.RequestBodyBytes} bytes", ginchat.GetProperty("message").GetString());

        // The upload route allows the largest media limit instead.
        await MediaTests.Upload(client, new byte[LimitedHost.RequestBodyBytes + 10_000], "application/octet-stream", "bigger-than-a-form.bin");
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
