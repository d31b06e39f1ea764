using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.DouyinApi;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.HostileInput;

/// <summary>
/// A NUL (or another control character) in any text a client sends gets a clean refusal in its
/// dialect, never a server failure; lookups by such a name find nothing. Every row of each table
/// failed with a 500 (or a dropped socket) before text was checked.
/// </summary>
public sealed class ControlCharacterTests : IAsyncLifetime
{
    GoChatHost _host = null!;
    long _aliceId, _bobId;
    string _alice = "", _bob = "";

    public async Task InitializeAsync()
    {
        _host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={TestDatabase.NewTempDirectory("gochat-nul")}");
        (_aliceId, _alice) = await _host.RegisterAsync("alice");
        (_bobId, _bob) = await _host.RegisterAsync("bob");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    string Direct => $"d:{Math.Min(_aliceId, _bobId)}:{Math.Max(_aliceId, _bobId)}";

    [Fact]
    public async Task Native_routes_answer_a_NUL_in_any_text_with_a_problem_and_searches_find_nothing()
    {
        using var alice = _host.Client(_alice);
        Assert.Equal(HttpStatusCode.Created, (await alice.PostAsJsonAsync($"/api/v1/conversations/{Direct}/messages", new { clientMsgId = "first", kind = "text", text = "first" })).StatusCode);

        (HttpMethod Method, string Url, object Body, HttpStatusCode Status, string Detail)[] cases =
        [
            (HttpMethod.Patch, "/api/v1/users/me", new { signature = "a\0b" }, HttpStatusCode.BadRequest, "signature must not contain control characters"),
            (HttpMethod.Patch, "/api/v1/users/me", new { displayName = "a\0b" }, HttpStatusCode.BadRequest, "displayName must not contain control characters"),
            (HttpMethod.Patch, "/api/v1/users/me", new { avatarUrl = "/a\0b.png" }, HttpStatusCode.BadRequest, "avatarUrl must not contain control characters"),
            (HttpMethod.Patch, "/api/v1/users/me", new { phone = "123\0 456" }, HttpStatusCode.BadRequest, "phone"),
            (HttpMethod.Patch, "/api/v1/users/me", new { email = "a\0b@example.com" }, HttpStatusCode.BadRequest, "email"),
            (HttpMethod.Post, "/api/v1/groups", new { name = "a\0b" }, HttpStatusCode.BadRequest, "name must not contain control characters"),
            (HttpMethod.Post, "/api/v1/groups", new { name = "ok", description = "a\0b" }, HttpStatusCode.BadRequest, "description must not contain control characters"),
            (HttpMethod.Post, "/api/v1/groups", new { name = "ok", iconUrl = "/a\0b.png" }, HttpStatusCode.BadRequest, "iconUrl must not contain control characters"),
            (HttpMethod.Post, $"/api/v1/conversations/{Direct}/messages", new { clientMsgId = "c\0", kind = "text", text = "hi" }, HttpStatusCode.BadRequest, "clientMsgId must not contain control characters"),
            (HttpMethod.Post, $"/api/v1/conversations/{Direct}/messages", new { clientMsgId = "c1", kind = "text", text = "a\0b" }, HttpStatusCode.BadRequest, "text must not contain control characters"),
            (HttpMethod.Patch, $"/api/v1/conversations/{Direct}/messages/1", new { text = "a\0b" }, HttpStatusCode.BadRequest, "text must not contain control characters"),
            (HttpMethod.Post, "/api/v1/auth/login", new { username = "ali\0ce", password = "secret-pw" }, HttpStatusCode.BadRequest, "username must not contain control characters"),
            (HttpMethod.Post, "/api/v1/auth/login", new { username = "alice", password = "secret\0pw" }, HttpStatusCode.BadRequest, "password must not contain control characters"),
            (HttpMethod.Post, "/api/v1/auth/register", new { username = "ne\0w", password = "secret-pw" }, HttpStatusCode.BadRequest, "control characters"),
            (HttpMethod.Post, "/api/v1/auth/register", new { username = "newbie", password = "secret-pw", displayName = "a\0b" }, HttpStatusCode.BadRequest, "displayName must not contain control characters"),
            (HttpMethod.Post, "/api/v1/contacts", new { username = "b\0b" }, HttpStatusCode.NotFound, "no user named"),
        ];
        foreach (var (method, url, body, status, detail) in cases)
        {
            using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
            var response = await alice.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{method} {url} {JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(detail, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
        }

        foreach (var search in new[] { "/api/v1/users?search=%00", "/api/v1/users?search=al%00", "/api/v1/groups?search=%00" })
            Assert.Empty((await alice.GetFromJsonAsync<JsonElement[]>(search))!);

        // Tabs and line breaks are text; nothing above changed anything.
        var me = await (await alice.PatchAsJsonAsync("/api/v1/users/me", new { signature = "line one\nline\ttwo" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("line one\nline\ttwo", me.GetProperty("signature").GetString());
        Assert.Equal("alice", me.GetProperty("displayName").GetString());
        Assert.Single((await alice.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{Direct}/messages"))!);
    }

    [Fact]
    public async Task A_hub_send_with_a_NUL_is_refused_and_the_connection_sends_on()
    {
        await using var hub = await ChatClient.ConnectAsync(_host, _alice);
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.Send(Direct, "nul-1", "a\0b"));
        Assert.Contains("text must not contain control characters", refused.Message);
        refused = await Assert.ThrowsAsync<HubException>(() => hub.Send(Direct, "nul\u0001", "fine"));
        Assert.Contains("clientMsgId must not contain control characters", refused.Message);
        Assert.Equal(1, (await hub.Send(Direct, "ok-1", "fine")).GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Douyin_routes_answer_a_NUL_in_any_text_with_status_code_1()
    {
        using var client = _host.Client();
        Assert.Equal(0, (await DouyinVideoTests.Publish(client, _bob, DouyinVideoTests.SampleVideo.Value, "a video")).GetProperty("status_code").GetInt32());
        var videoId = (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("id").GetInt64();

        (string Url, Dictionary<string, string>? Form, string Message)[] cases =
        [
            ("/douyin/user/register/?username=ne%00w&password=secret-pw", null, "control characters"),
            ("/douyin/user/register/", new() { ["username"] = "newbie", ["password"] = "secret\0pw" }, "must not contain NUL characters"),
            ("/douyin/user/login/?username=ali%00ce&password=secret-pw", null, "username must not contain control characters"),
            ("/douyin/user/login/?username=alice&password=secret%00pw", null, "password must not contain control characters"),
            ($"/douyin/message/action/?token={_alice}&to_user_id={_bobId}&action_type=1&content=a%00b", null, "text must not contain control characters"),
            ("/douyin/message/action/", new() { ["token"] = _alice, ["to_user_id"] = $"{_bobId}", ["action_type"] = "1", ["content"] = "a\0b" }, "must not contain NUL characters"),
            ($"/douyin/comment/action/?token={_alice}&video_id={videoId}&action_type=1&comment_text=a%00b", null, "comment_text must not contain control characters"),
        ];
        foreach (var (url, form, message) in cases)
        {
            var answer = await Douyin(client, HttpMethod.Post, url, form);
            Assert.True(answer.GetProperty("status_code").GetInt32() == 1, $"{url}: {answer}");
            Assert.Contains(message, answer.GetProperty("status_msg").GetString());
        }

        // publish: the title as a multipart field, or in the query string beside the file
        Assert.Contains("title must not contain control characters",
            (await DouyinVideoTests.Publish(client, _bob, DouyinVideoTests.SampleVideo.Value, "a\0b")).GetProperty("status_msg").GetString());
        var file = new ByteArrayContent(DouyinVideoTests.SampleVideo.Value);
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        var response = await client.PostAsync($"/douyin/publish/action/?token={_bob}&title=a%00b", new MultipartFormDataContent { { file, "data", "clip.mp4" } });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("status_code").GetInt32());
        Assert.Contains("title must not contain control characters", body.GetProperty("status_msg").GetString());

        Assert.Empty((await Douyin(client, HttpMethod.Get, $"/douyin/message/chat/?token={_alice}&to_user_id={_bobId}")).GetProperty("message_list").EnumerateArray());
        Assert.Empty((await Douyin(client, HttpMethod.Get, $"/douyin/comment/list/?video_id={videoId}")).GetProperty("comment_list").EnumerateArray());
    }

    [Fact]
    public async Task Ginchat_routes_answer_a_NUL_in_any_text_with_code_minus_1_and_the_socket_stays_open()
    {
        using var client = _host.Client();
        (string Url, Dictionary<string, string>? Form, string Message)[] cases =
        [
            ("/user/createUser", new() { ["name"] = "ne\0w", ["password"] = "secret-pw", ["Identity"] = "secret-pw" }, "must not contain NUL characters"),
            ("/user/createUser?name=ne%00w&password=secret-pw&Identity=secret-pw", null, "control characters"),
            ("/user/findUserByNameAndPwd?name=ali%00ce&password=secret-pw", null, "username must not contain control characters"),
            ("/user/findUserByNameAndPwd?name=alice&password=secret%00pw", null, "password must not contain control characters"),
            ("/user/findUserByNameAndPwd", new() { ["name"] = "ali\0ce", ["password"] = "secret-pw" }, "must not contain NUL characters"),
            ($"/user/updateUser?token={_alice}&id={_aliceId}&name=ali%00ce", null, "control characters"),
            ($"/user/updateUser?token={_alice}&id={_aliceId}&password=secret%00pw", null, "control characters"),
            ($"/user/updateUser?token={_alice}&id={_aliceId}&email=a%00b@example.com", null, "email"),
        ];
        foreach (var (url, form, message) in cases)
        {
            var answer = await Ginchat(client, url, form ?? []);
            Assert.True(answer.GetProperty("code").GetInt32() == -1, $"{url}: {answer}");
            Assert.Contains(message, answer.GetProperty("message").GetString());
        }
        foreach (var (form, message) in new (Dictionary<string, string>, string)[]
        {
            (new() { ["token"] = _alice, ["userId"] = $"{_aliceId}", ["targetName"] = "b\0b" }, "must not contain NUL characters"),
            (new() { ["token"] = _alice, ["userId"] = $"{_aliceId}", ["targetName"] = "b\u0001b" }, "no user named"),
        })
        {
            var addFriend = await Ginchat(client, "/contact/addFriend", form);
            Assert.Equal(-1, addFriend.GetProperty("Code").GetInt32());
            Assert.Contains(message, addFriend.GetProperty("Msg").GetString());
        }
        var byQuery = await Ginchat(client, $"/contact/addFriend?token={_alice}&userId={_aliceId}&targetName=b%00b", []);
        Assert.Equal(-1, byQuery.GetProperty("Code").GetInt32());
        Assert.Contains("no user named", byQuery.GetProperty("Msg").GetString());

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(_host.BaseAddress, $"/user/sendUserMsg?userId={_aliceId}&token={_alice}")) { Scheme = "ws" }.Uri, CancellationToken.None);
        await SendFrame(socket, new { FromId = _aliceId, TargetId = _bobId, Type = 1, Media = 1, Content = "a\0b" });
        Assert.Contains("text must not contain control characters", JsonDocument.Parse(await ReceiveFrame(socket)).RootElement.GetProperty("Desc").GetString());
        await SendFrame(socket, new { FromId = _aliceId, TargetId = _bobId, Type = 1, Media = 1, Content = "still here" });
        using var bob = _host.Client(_bob);
        JsonElement[] history = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(20); history.Length == 0 && DateTime.UtcNow < deadline; await Task.Delay(100))
            history = (await bob.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{Direct}/messages"))!;
        Assert.Equal("still here", Assert.Single(history).GetProperty("text").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task A_ginchat_frame_that_fails_to_send_is_answered_and_the_socket_stays_open()
    {
        await using (var connection = new Npgsql.NpgsqlConnection(_host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var refuse = new Npgsql.NpgsqlCommand("""
                CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.text = 'refuse me' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_marked BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_marked();
                """, connection);
            await refuse.ExecuteNonQueryAsync();
        }
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(_host.BaseAddress, $"/user/sendUserMsg?userId={_aliceId}&token={_alice}")) { Scheme = "ws" }.Uri, CancellationToken.None);

        await SendFrame(socket, new { FromId = _aliceId, TargetId = _bobId, Type = 1, Media = 1, Content = "refuse me" });
        var desc = JsonDocument.Parse(await ReceiveFrame(socket)).RootElement.GetProperty("Desc").GetString();
        Assert.Equal("the server could not send this message", desc);

        await SendFrame(socket, new { FromId = _aliceId, TargetId = _bobId, Type = 1, Media = 1, Content = "still here" });
        using var bob = _host.Client(_bob);
        JsonElement[] history = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(20); history.Length == 0 && DateTime.UtcNow < deadline; await Task.Delay(100))
            history = (await bob.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{Direct}/messages"))!;
        Assert.Equal("still here", Assert.Single(history).GetProperty("text").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    static Task SendFrame(WebSocket socket, object frame) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame)), WebSocketMessageType.Text, true, CancellationToken.None);

    static async Task<string> ReceiveFrame(WebSocket socket) => (await socket.ReceiveMessageAsync()).Text;
}
