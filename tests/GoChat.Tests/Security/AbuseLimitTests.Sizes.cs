using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.Security;

/// <summary>Size limits: a hub message, a ginchat frame, a request body.</summary>
public sealed partial class AbuseLimitTests
{
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
}
