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
    public async Task Sockets_need_the_callers_own_token_and_only_admins_broadcast()
    {
        var (_, token) = await _host.RegisterAsync("plain");
        var (adminId, adminToken) = await _host.RegisterAsync("admin");
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

    static async Task<string> ReceiveText(WebSocket socket)
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
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
