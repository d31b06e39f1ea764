using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Bots;

/// <summary>
/// Bots answering through the real hub and HTTP API, against a fake OpenAI-compatible server:
/// streaming, storing, context, stopping, groups, loops and limits.
/// </summary>
public sealed class BotReplyTests(BotScene scene) : IClassFixture<BotScene>
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
    public async Task Stopping_mid_stream_cancels_the_upstream_request_within_a_second_and_keeps_the_partial_text_marked_stopped()
    {
        Model.Reply = _ => new FakeReply(Pieces: Enumerable.Range(1, 200).Select(i => $" word{i}").ToArray(), ChunkDelay: TimeSpan.FromMilliseconds(50));
        var (_, owner) = await Host.RegisterAsync("owner-stop");
        var (askerId, asker) = await Host.RegisterAsync("asker-stop");
        var (memberId, member) = await Host.RegisterAsync("member-stop");
        var conversation = await Group(owner, "stoppers", askerId, memberId, scene.Bots["grok"]);
        await using var askerClient = await ChatClient.ConnectAsync(Host, asker);
        await using var memberClient = await ChatClient.ConnectAsync(Host, member);
        var before = Model.Requests.Count;

        await askerClient.Send(conversation, "s1", "@grok count for me");
        await askerClient.WaitFor("messageStreaming", e => e.GetProperty("conversationId").GetString() == conversation);
        var request = await Model.WaitForRequest(before + 1);

        // Someone else who is neither the asker nor an owner or admin may not stop it.
        var refused = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync("StopReply", conversation, 2L));
        Assert.Contains("only the person who asked", refused.Message);

        var stopping = Stopwatch.GetTimestamp();
        await askerClient.Connection.InvokeAsync("StopReply", conversation, 2L);
        var finished = await Finished(askerClient, conversation, 2);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (request.AbortedAt is null && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.NotNull(request.AbortedAt);
        Assert.True(Stopwatch.GetElapsedTime(stopping, request.AbortedAt!.Value) < TimeSpan.FromSeconds(1),
            $"the fake saw the abort {Stopwatch.GetElapsedTime(stopping, request.AbortedAt!.Value)} after the stop");
        Assert.True(request.ChunksWritten < 200, "the whole reply was streamed despite the stop");

        Assert.Equal("stopped", finished.GetProperty("status").GetString());
        var partial = finished.GetProperty("text").GetString()!;
        Assert.StartsWith("word1", partial); // a reply starts with its first word
        var stored = await History(asker, conversation);
        Assert.Equal(partial, stored[1].GetProperty("text").GetString());
        Assert.Equal("stopped", stored[1].GetProperty("status").GetString());
        // A stopped reply cannot be stopped again.
        await Assert.ThrowsAsync<HubException>(() => askerClient.Connection.InvokeAsync("StopReply", conversation, 2L));
    }

    [Fact]
    public async Task A_group_owner_may_stop_a_reply_someone_else_asked_for()
    {
        Model.Reply = _ => new FakeReply(Pieces: Enumerable.Range(1, 200).Select(i => $" w{i}").ToArray(), ChunkDelay: TimeSpan.FromMilliseconds(50));
        var (_, owner) = await Host.RegisterAsync("owner-stops");
        var (askerId, asker) = await Host.RegisterAsync("asker-owner");
        var conversation = await Group(owner, "owned", askerId, scene.Bots["grok"]);
        await using var ownerClient = await ChatClient.ConnectAsync(Host, owner);
        await using var askerClient = await ChatClient.ConnectAsync(Host, asker);

        await askerClient.Send(conversation, "o1", "@Grok talk a lot");
        await ownerClient.WaitFor("messageStreaming", e => e.GetProperty("conversationId").GetString() == conversation);
        await ownerClient.Connection.InvokeAsync("StopReply", conversation, 2L);
        Assert.Equal("stopped", (await Finished(askerClient, conversation, 2)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task In_a_group_a_bot_answers_a_mention_or_a_reply_to_its_message_but_not_a_plain_message_and_a_bot_outside_the_group_never()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["Hi", " all"]);
        var (_, owner) = await Host.RegisterAsync("owner-group");
        var conversation = await Group(owner, "mentions", scene.Bots["grok"]);
        await using var client = await ChatClient.ConnectAsync(Host, owner);
        var before = Model.Requests.Count;

        await client.Send(conversation, "g1", "just chatting, nobody asked anything");
        await client.Send(conversation, "g2", "hey @grok, say hi");
        var reply = await Finished(client, conversation, 3);
        Assert.Equal("Hi all", reply.GetProperty("text").GetString());
        Assert.Equal(2, reply.GetProperty("replyToSeq").GetInt64());
        // The context names each author; the plain message was context, not a question.
        Assert.Equal(
            [("user", "owner-group: just chatting, nobody asked anything"), ("user", "owner-group: hey @grok, say hi")],
            Model.Requests[^1].Messages.Skip(1));

        await client.Connection.InvokeAsync<JsonElement>("SendMessage", new { conversationId = conversation, clientMsgId = "g3", kind = "text", text = "go on", replyToSeq = 3 });
        await Finished(client, conversation, 5);

        // llama is not a member: mentioning it does nothing.
        await client.Send(conversation, "g4", "@llama are you there?");
        await client.Send(conversation, "g5", "plain again");
        await Task.Delay(1500);
        Assert.Equal(before + 2, Model.Requests.Count);
        Assert.Equal(7, (await History(owner, conversation)).Length);
    }

    [Fact]
    public async Task Bots_never_answer_each_other_so_two_bots_in_a_group_do_not_loop()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["@llama", " what", " do you think, @Llama Bot?"]);
        var (_, owner) = await Host.RegisterAsync("owner-loop");
        var conversation = await Group(owner, "two bots", scene.Bots["grok"], scene.Bots["llama"]);
        await using var client = await ChatClient.ConnectAsync(Host, owner);
        var before = Model.Requests.Count;

        await client.Send(conversation, "l1", "@grok ask the other bot");
        var reply = await Finished(client, conversation, 2);
        Assert.Contains("@llama", reply.GetProperty("text").GetString());
        await Task.Delay(2000);
        Assert.Equal(before + 1, Model.Requests.Count);
        Assert.Equal(2, (await History(owner, conversation)).Length);

        // Asked by a person, the other bot answers, and sees the first bot's words marked as a bot's.
        await client.Send(conversation, "l2", "@llama your turn");
        await Finished(client, conversation, 4);
        Assert.Equal(
            [("user", "owner-loop: @grok ask the other bot"), ("user", "Grok (a bot): @llama what do you think, @Llama Bot?"), ("user", "owner-loop: @llama your turn")],
            Model.Requests[^1].Messages.Skip(1));
    }

    [Fact]
    public async Task Past_the_rate_limit_the_bot_answers_with_a_clear_message_and_asks_its_provider_nothing()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["ok"]);
        var (_, conversation, client) = await Person("alice-strict", "strict");
        await using var connected = client;
        var before = Model.Requests.Count;

        await client.Send(conversation, "r1", "one");
        await Finished(client, conversation, 2);
        await client.Send(conversation, "r2", "two");
        await Finished(client, conversation, 4);
        await client.Send(conversation, "r3", "three");
        var refused = await Finished(client, conversation, 6);

        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Contains("2 questions in the last minute", refused.GetProperty("notice").GetString());
        Assert.Equal(before + 2, Model.Requests.Count);
    }

    [Fact]
    public async Task Past_the_daily_token_budget_the_bot_answers_with_a_clear_message_and_administrators_see_the_usage()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["a", "b", "c"]);
        var (_, conversation, client) = await Person("alice-frugal", "frugal");
        await using var connected = client;
        var before = Model.Requests.Count;

        await client.Send(conversation, "b1", "spend");
        await Finished(client, conversation, 2); // 22 prompt + 3 completion tokens
        await client.Send(conversation, "b2", "spend more");
        await Finished(client, conversation, 4); // 44 + 3: over the budget of 30 now
        await client.Send(conversation, "b3", "and more");
        var refused = await Finished(client, conversation, 6);
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Contains("used all of its tokens for today", refused.GetProperty("notice").GetString());
        Assert.Equal(before + 2, Model.Requests.Count);

        using (var people = Host.Client(await Login("alice-frugal")))
            Assert.Equal(HttpStatusCode.Forbidden, (await people.GetAsync("/api/v1/bots/usage")).StatusCode);
        var (adminId, adminToken) = await Host.RegisterAsync("admin-frugal");
        await Sql.ExecuteAsync(Host.ConnectionString, $"UPDATE users SET is_admin = true WHERE id = {adminId}");
        using var http = Host.Client(adminToken);
        // The admin's user grain read the row before the change: let it read it again.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Host.Services.GetRequiredService<IGrainFactory>().GetGrain<GoChat.Grains.Users.IUserGrain>(adminId)
                .AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
            await Task.Delay(200);
        }
        while ((await http.GetAsync("/api/v1/bots/usage")).StatusCode == HttpStatusCode.Forbidden && DateTime.UtcNow < deadline);
        var usage = (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots/usage?days=1"))!;
        var frugal = Assert.Single(usage, u => u.GetProperty("username").GetString() == "frugal");
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), frugal.GetProperty("day").GetString());
        Assert.Equal(2, frugal.GetProperty("replies").GetInt32());
        Assert.Equal(22 + 44, frugal.GetProperty("promptTokens").GetInt64());
        Assert.Equal(6, frugal.GetProperty("completionTokens").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/bots/usage?days=0")).StatusCode);
    }

    [Fact]
    public async Task A_bot_answers_one_question_at_a_time_in_a_conversation_queues_three_and_refuses_more_with_a_message()
    {
        Model.Reply = _ => new FakeReply(Pieces: ["one", " moment"], ChunkDelay: TimeSpan.FromMilliseconds(300));
        var (_, conversation, client) = await Person("alice-queue", "grok");
        await using var connected = client;
        var before = Model.Requests.Count;

        await client.Send(conversation, "w1", "first");
        await Model.WaitForRequest(before + 1);
        foreach (var i in new[] { 2, 3, 4, 5 }) await client.Send(conversation, $"w{i}", $"question {i}");

        // The fifth waits behind four: refused at once, with words, while the first still streams.
        var refused = await client.WaitFor("messageUpdated", m => m.GetProperty("replyToSeq").GetInt64() == 6 && m.GetProperty("status").GetString() == "failed");
        Assert.Equal("Grok is still answering earlier messages here; ask again when it is done.", refused.GetProperty("notice").GetString());
        // The others are answered in turn, one request at a time, each with the context up to its own question.
        foreach (var question in new long[] { 1, 3, 4, 5 })
            await client.WaitFor("messageUpdated", m => m.GetProperty("replyToSeq").GetInt64() == question && m.GetProperty("status").ValueKind == JsonValueKind.Null, TimeSpan.FromSeconds(30));
        var requests = Model.Requests.Skip(before).ToList();
        Assert.Equal(4, requests.Count);
        for (var i = 1; i < requests.Count; i++) Assert.True(requests[i].StartedAt >= requests[i - 1].FinishedAt, "two replies of one conversation overlapped");
        Assert.Equal(["first", "one moment", "question 2"], requests[1].Messages.Skip(1).Select(m => m.Content));
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
