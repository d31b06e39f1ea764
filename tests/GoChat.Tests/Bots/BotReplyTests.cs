using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Bots;

/// <summary>
/// Bots answering through the real hub and HTTP API, against a fake OpenAI-compatible server:
/// streaming, storing, context, stopping, groups, loops and limits.
/// </summary>
public sealed partial class BotReplyTests(BotScene scene) : IClassFixture<BotScene>
{
    GoChatHost Host => scene.Host;
    FakeModelServer Model => scene.Model;

    [Fact]
    public async Task A_direct_message_gets_a_reply_that_streams_grows_to_the_final_text_and_is_stored_as_such()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["The", " answer", " is", " forty", "-two", ", of", " course", "."], ChunkDelay: TimeSpan.FromMilliseconds(120));
        var (_, conversation, client) = await Person("alice-direct", "grok");
        await using var connected = client;
        var before = Model.Requests.Count;

        await client.Send(conversation, "q1", "What is the answer?");
        var finished = await Finished(client, conversation, 2);

        Assert.Equal("The answer is forty-two, of course.", finished.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("status").ValueKind);
        Assert.Equal(scene.Bots["grok"], finished.GetProperty("senderId").GetInt64());
        Assert.Equal(1, finished.GetProperty("replyToSeq").GetInt64());
        // It held seq 2 from the start, announced streaming, and grew by prefixes to the final text.
        var started = await client.WaitFor("message", m => m.GetProperty("seq").GetInt64() == 2);
        Assert.Equal("streaming", started.GetProperty("status").GetString());
        Assert.Contains(client.Events("typing"), t => t.GetProperty("userId").GetInt64() == scene.Bots["grok"]);
        var growth = client.Events("messageStreaming").Where(e => e.GetProperty("conversationId").GetString() == conversation).Select(e => e.GetProperty("text").GetString()!).ToList();
        Assert.True(growth.Count >= 2, $"expected the reply to stream in several events, got {growth.Count}");
        for (var i = 1; i < growth.Count; i++) Assert.StartsWith(growth[i - 1], growth[i]);
        Assert.StartsWith(growth[^1], "The answer is forty-two, of course.");
        // The stored message is the final text, once.
        var stored = await History(_tokens["alice-direct"], conversation);
        Assert.Equal("The answer is forty-two, of course.", stored[1].GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, stored[1].GetProperty("status").ValueKind);

        // The second question carries the system prompt and the history, in order.
        await client.Send(conversation, "q2", "And why?");
        await Finished(client, conversation, 4);
        Assert.Equal(before + 2, Model.Requests.Count);
        var request = Model.Requests[^1];
        Assert.Equal(
            [("system", BotScene.SystemPrompt), ("user", "What is the answer?"), ("assistant", "The answer is forty-two, of course."), ("user", "And why?")],
            request.Messages);
        Assert.Equal("grok-model", (string?)request.Body["model"]);
        Assert.True((bool?)request.Body["stream"]);
        Assert.True((bool?)request.Body["stream_options"]?["include_usage"]); // usage comes in the last chunk
        Assert.Equal(1024, (int?)request.Body["max_completion_tokens"]);
        Assert.Equal($"Bearer {BotScene.ApiKey}", request.Authorization);
    }

    [Fact]
    public async Task A_ginchat_socket_gets_a_bots_reply_whole_once_it_is_finished()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["Hello", " from", " a", " bot"], ChunkDelay: TimeSpan.FromMilliseconds(100));
        var (ginId, token) = await Host.RegisterAsync("gin-asker");
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(Host.BaseAddress, $"/user/sendUserMsg?userId={ginId}&token={token}")) { Scheme = "ws" }.Uri, CancellationToken.None);
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { FromId = ginId, TargetId = scene.Bots["grok"], Type = 1, Media = 1, Content = "hi bot" }),
            System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        var frame = JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement;
        Assert.Equal(scene.Bots["grok"], frame.GetProperty("FromId").GetInt64());
        Assert.Equal("Hello from a bot", frame.GetProperty("Content").GetString()); // not an empty frame when it started
        Assert.Equal(2, frame.GetProperty("Seq").GetInt64());
    }

    [Fact]
    public async Task The_douyin_message_list_shows_a_bots_reply_once_it_is_finished_never_empty_while_it_streams()
    {
        Model.Reply = _ => new FakeReply(Pieces: Enumerable.Range(1, 10).Select(i => $" d{i}").ToArray(), ChunkDelay: TimeSpan.FromMilliseconds(150));
        var (_, token) = await Host.RegisterAsync("douyin-asker");
        using var http = Host.Client();
        var before = Model.Requests.Count;
        var sent = await http.PostAsync($"/douyin/message/action/?token={token}&to_user_id={scene.Bots["grok"]}&action_type=1&content=hello", null);
        Assert.Equal(0, (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status_code").GetInt32());
        await Model.WaitForRequest(before + 1);

        async Task<string[]> Contents() => (await http.GetFromJsonAsync<JsonElement>($"/douyin/message/chat/?token={token}&to_user_id={scene.Bots["grok"]}"))
            .GetProperty("message_list").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToArray();
        Assert.Equal(["hello"], await Contents());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await Contents()).Length < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(["hello", "d1 d2 d3 d4 d5 d6 d7 d8 d9 d10"], await Contents());
    }

    [Fact]
    public async Task A_client_that_connects_mid_stream_catches_up_with_the_whole_text_so_far()
    {
        Model.Reply = _ => new FakeReply(Pieces: Enumerable.Range(1, 30).Select(i => $" part{i}").ToArray(), ChunkDelay: TimeSpan.FromMilliseconds(60));
        var (_, conversation, client) = await Person("alice-late", "grok");
        await using var connected = client;
        await client.Send(conversation, "m1", "tell me a long story");
        await client.WaitFor("messageStreaming", e => e.GetProperty("text").GetString()!.Contains("part5"));

        await using var late = await ChatClient.ConnectAsync(Host, await Login("alice-late"));
        var first = await late.WaitFor("messageStreaming", e => e.GetProperty("conversationId").GetString() == conversation);
        Assert.StartsWith("part1 part2 part3 part4 part5", first.GetProperty("text").GetString());
        Assert.Equal(string.Concat(Enumerable.Range(1, 30).Select(i => $" part{i}")).TrimStart(), (await Finished(late, conversation, 2)).GetProperty("text").GetString());
    }

    /// <summary>A new person in a direct conversation with a bot, connected.</summary>
    async Task<(long UserId, string Conversation, ChatClient Client)> Person(string name, string bot)
    {
        var (userId, token) = await Host.RegisterAsync(name);
        _tokens[name] = token;
        using var http = Host.Client(token);
        var opened = await http.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = scene.Bots[bot] });
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
        var conversation = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return (userId, conversation, await ChatClient.ConnectAsync(Host, token));
    }

    readonly Dictionary<string, string> _tokens = [];

    Task<string> Login(string name) => Task.FromResult(_tokens[name]);

    async Task<string> Group(string ownerToken, string name, params long[] members)
    {
        using var http = Host.Client(ownerToken);
        var created = await http.PostAsJsonAsync("/api/v1/groups", new { name, memberIds = members });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
    }

    async Task<JsonElement[]> History(string token, string conversation)
    {
        using var http = Host.Client(token);
        return (await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages?limit=200"))!;
    }

    /// <summary>The reply <paramref name="seq"/> once it is finished (messageUpdated with a status other than streaming).</summary>
    static Task<JsonElement> Finished(ChatClient client, string conversation, long seq) =>
        client.WaitFor("messageUpdated", m => m.GetProperty("conversationId").GetString() == conversation && m.GetProperty("seq").GetInt64() == seq
            && m.GetProperty("status").GetString() != "streaming", TimeSpan.FromSeconds(30));
}
