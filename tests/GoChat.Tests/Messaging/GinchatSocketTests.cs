using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Messaging;

public sealed class GinchatSocketTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_ginchat_socket_and_a_hub_client_talk_to_each_other_directly_and_in_a_group()
    {
        var (ginId, ginToken) = await _host.RegisterAsync("gin_user");
        var (hubId, hubToken) = await _host.RegisterAsync("hub_user");
        using var owner = _host.Client(hubToken);
        var group = await (await owner.PostAsJsonAsync("/api/v1/groups", new { name = "mixed", memberIds = new[] { ginId } })).Content.ReadFromJsonAsync<JsonElement>();
        var groupId = group.GetProperty("id").GetInt64();

        using var socket = await Connect($"/user/sendUserMsg?userId={ginId}&token={ginToken}");
        await using var hub = await ChatClient.ConnectAsync(_host, hubToken);

        // ginchat -> hub, private
        await SendText(socket, JsonSerializer.Serialize(new { FromId = ginId, TargetId = hubId, Type = 1, Media = 1, Content = "hi from ginchat" }));
        var received = (await hub.WaitFor("message", 1)).Single();
        Assert.Equal("hi from ginchat", received.GetProperty("text").GetString());
        Assert.Equal(ginId, received.GetProperty("senderId").GetInt64());
        var direct = received.GetProperty("conversationId").GetString()!;

        // hub -> ginchat, private and group
        await hub.Send(direct, "reply-1", "hello socket");
        var frame = JsonDocument.Parse(await ReceiveText(socket)).RootElement;
        Assert.Equal(hubId, frame.GetProperty("FromId").GetInt64());
        Assert.Equal(1, frame.GetProperty("Type").GetInt32());
        Assert.Equal("hello socket", frame.GetProperty("Content").GetString());
        await hub.Send($"g:{groupId}", "group-1", "hello group");
        frame = JsonDocument.Parse(await ReceiveText(socket)).RootElement;
        Assert.Equal(2, frame.GetProperty("Type").GetInt32());
        Assert.Equal(groupId, frame.GetProperty("TargetId").GetInt64());

        // ginchat -> group, and the history is the same one the native API shows
        await SendText(socket, JsonSerializer.Serialize(new { FromId = ginId, TargetId = groupId, Type = 2, Media = 1, Content = "group hi from ginchat" }));
        Assert.Contains(await hub.WaitFor("message", 4), m => m.GetProperty("text").GetString() == "group hi from ginchat");
        var history = await owner.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{direct}/messages");
        Assert.Equal(new[] { "hi from ginchat", "hello socket" }, history!.Select(m => m.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task An_open_socket_follows_groups_joined_and_left_while_it_is_open()
    {
        var (ginId, ginToken) = await _host.RegisterAsync("gin_joiner");
        var (_, ownerToken) = await _host.RegisterAsync("group_owner");
        using var owner = _host.Client(ownerToken);
        using var gin = _host.Client(ginToken);
        using var socket = await Connect($"/user/sendUserMsg?userId={ginId}&token={ginToken}");

        // added by the owner after the socket opened
        var group = await (await owner.PostAsJsonAsync("/api/v1/groups", new { name = "late", memberIds = new[] { ginId } })).Content.ReadFromJsonAsync<JsonElement>();
        var groupId = group.GetProperty("id").GetInt64();
        var frame = await SendToGroupUntilReceived(owner, socket, groupId, "welcome late joiner");
        Assert.Equal(2, frame.GetProperty("Type").GetInt32());
        Assert.Equal(groupId, frame.GetProperty("TargetId").GetInt64());

        // after leaving, the group's messages stop; a direct message still arrives
        Assert.Equal(HttpStatusCode.NoContent, (await gin.DeleteAsync($"/api/v1/groups/{groupId}/members/{ginId}")).StatusCode);
        await Task.Delay(500); // the leave reaches this WebFront's socket asynchronously
        var sent = await owner.PostAsJsonAsync($"/api/v1/conversations/g:{groupId}/messages", new { clientMsgId = "after-leave", kind = "text", text = "you left" });
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var ownerMe = await owner.GetFromJsonAsync<JsonElement>("/api/v1/users/me");
        var direct = await (await owner.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = ginId })).Content.ReadFromJsonAsync<JsonElement>();
        await owner.PostAsJsonAsync($"/api/v1/conversations/{direct.GetProperty("id").GetString()}/messages", new { clientMsgId = "direct-1", kind = "text", text = "just you" });
        // frames of retried group sends from before the leave may still be queued; none may be the one sent after it
        JsonElement next;
        do
        {
            next = JsonDocument.Parse(await ReceiveText(socket)).RootElement;
            Assert.NotEqual("you left", next.GetProperty("Content").GetString());
        } while (next.GetProperty("Type").GetInt32() != 1);
        Assert.Equal("just you", next.GetProperty("Content").GetString());
        Assert.Equal(ownerMe.GetProperty("id").GetInt64(), next.GetProperty("FromId").GetInt64());
    }

    /// <summary>
    /// Sends group messages until the socket gets one: joining is announced to the socket's WebFront
    /// asynchronously, so the first message may be sent before it listens to the group.
    /// </summary>
    static async Task<JsonElement> SendToGroupUntilReceived(HttpClient sender, WebSocket socket, long groupId, string text)
    {
        var receive = ReceiveText(socket);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var sent = await sender.PostAsJsonAsync($"/api/v1/conversations/g:{groupId}/messages", new { clientMsgId = $"try-{attempt}", kind = "text", text });
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
            if (await Task.WhenAny(receive, Task.Delay(500)) == receive) return JsonDocument.Parse(await receive).RootElement;
        }
        throw new TimeoutException("the socket never received the group's messages");
    }

    [Fact]
    public async Task Sockets_need_the_callers_own_token_and_only_admins_broadcast()
    {
        // The first account of a server is its administrator.
        var (adminId, adminToken) = await _host.RegisterAsync("admin");
        var (_, token) = await _host.RegisterAsync("plain");
        await Sql.ScalarAsync<int>(_host.ConnectionString, $"UPDATE users SET is_admin = true WHERE id = {adminId} RETURNING 1");

        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => Connect($"/user/sendUserMsg?userId={adminId}&token={token}"));
        Assert.NotNull(refused);

        using var listener = await Connect($"/user/sendMsg?token={token}");
        using var admin = await Connect($"/user/sendMsg?token={adminToken}");
        await SendText(listener, JsonSerializer.Serialize(new { Type = 3, Media = 1, Content = "not allowed" }));
        Assert.Contains("administrators", await ReceiveText(listener));

        await SendText(admin, JsonSerializer.Serialize(new { Type = 3, Media = 1, Content = "server maintenance at noon" }));
        var broadcast = await ReceiveText(listener);
        Assert.Matches(@"^\[ws\]\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\]:\{", broadcast);
        Assert.Contains("server maintenance at noon", broadcast);
    }

    async Task<ClientWebSocket> Connect(string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(new Uri(_host.BaseAddress, pathAndQuery)) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        return socket;
    }

    static Task SendText(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    static async Task<string> ReceiveText(WebSocket socket) => (await socket.ReceiveMessageAsync()).Text;
}
