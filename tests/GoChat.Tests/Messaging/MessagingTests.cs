using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Messaging;

public sealed class MessagingTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    [Fact]
    public async Task Each_of_a_users_connections_receives_a_direct_message()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        await using var bobPhone = await ChatClient.ConnectAsync(_host, bob);
        await using var bobLaptop = await ChatClient.ConnectAsync(_host, bob);
        await using var aliceClient = await ChatClient.ConnectAsync(_host, alice);

        var sent = await aliceClient.Send(Direct(aliceId, bobId), "m1", "hello bob");
        Assert.Equal(1, sent.GetProperty("seq").GetInt64());

        foreach (var connection in new[] { bobPhone, bobLaptop, aliceClient })
        {
            var received = (await connection.WaitFor("message", 1)).Single();
            Assert.Equal("hello bob", received.GetProperty("text").GetString());
            Assert.Equal(aliceId, received.GetProperty("senderId").GetInt64());
            Assert.Equal(sent.GetProperty("id").GetInt64(), received.GetProperty("id").GetInt64());
        }
    }

    [Fact]
    public async Task Sending_twice_with_the_same_clientMsgId_returns_the_first_message()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        using var client = _host.Client(alice);
        var conversation = Direct(aliceId, bobId);
        var first = await client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "retry-me", kind = "text", text = "once" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "retry-me", kind = "text", text = "once" })));
        var ids = new List<long> { (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64() };
        foreach (var response in again) ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Single(ids.Distinct());
        await using var hub = await ChatClient.ConnectAsync(_host, alice);
        Assert.Equal(ids[0], (await hub.Send(conversation, "retry-me", "once")).GetProperty("id").GetInt64());
        Assert.Equal(1L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task Three_senders_times_100_concurrent_sends_reach_a_member_as_seq_1_to_300_and_history_agrees()
    {
        var senders = new List<(long Id, string Token)>();
        for (var i = 0; i < 3; i++) senders.Add(await _host.RegisterAsync($"sender{i}"));
        var (readerId, readerToken) = await _host.RegisterAsync("reader");
        using var owner = _host.Client(senders[0].Token);
        var created = await owner.PostAsJsonAsync("/api/v1/groups", new { name = "load", memberIds = new[] { senders[1].Id, senders[2].Id, readerId } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var conversation = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;

        await using var reader = await ChatClient.ConnectAsync(_host, readerToken);
        var clients = await Task.WhenAll(senders.Select(s => ChatClient.ConnectAsync(_host, s.Token)));
        var sends = clients.SelectMany((c, s) => Enumerable.Range(0, 100).Select(i => c.Send(conversation, $"s{s}-{i}", $"message {i} from {s}")));
        var acks = await Task.WhenAll(sends);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), acks.Select(a => a.GetProperty("seq").GetInt64()).Order());

        var received = await reader.WaitFor("message", 300, TimeSpan.FromSeconds(60));
        var seqs = received.Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), seqs.Order());
        Assert.Equal(300, seqs.Distinct().Count());

        using var readerHttp = _host.Client(readerToken);
        var history = new List<JsonElement>();
        long? before = null;
        while (true)
        {
            var page = await readerHttp.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages?limit=70{(before is null ? "" : $"&beforeSeq={before}")}");
            if (page!.Length == 0) break;
            history.InsertRange(0, page);
            before = page[0].GetProperty("seq").GetInt64();
        }
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), history.Select(m => m.GetProperty("seq").GetInt64()));
        var byClientId = acks.ToDictionary(a => a.GetProperty("clientMsgId").GetString()!, a => a.GetProperty("text").GetString());
        Assert.All(history, m => Assert.Equal(byClientId[m.GetProperty("clientMsgId").GetString()!], m.GetProperty("text").GetString()));
        foreach (var client in clients) await client.DisposeAsync();
    }

    [Fact]
    public async Task Unread_counts_drop_after_MarkRead_and_the_sender_sees_the_read_event()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);
        await using var aliceHub = await ChatClient.ConnectAsync(_host, alice);
        for (var i = 0; i < 3; i++) await aliceHub.Send(conversation, $"u{i}", $"unread {i}");

        using var bobHttp = _host.Client(bob);
        var before = (await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations"))!.Single();
        Assert.Equal(conversation, before.GetProperty("id").GetString());
        Assert.Equal(3, before.GetProperty("unread").GetInt64());
        Assert.Equal("unread 2", before.GetProperty("lastMessage").GetProperty("text").GetString());
        Assert.Equal("alice", before.GetProperty("title").GetString());

        await using var bobHub = await ChatClient.ConnectAsync(_host, bob);
        await bobHub.Connection.InvokeAsync("MarkRead", conversation, 2L);
        Assert.Equal(1, (await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations"))!.Single().GetProperty("unread").GetInt64());
        var read = (await aliceHub.WaitFor("read", 1)).Single();
        Assert.Equal(bobId, read.GetProperty("userId").GetInt64());
        Assert.Equal(2, read.GetProperty("seq").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await bobHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/read", new { seq = 3 })).StatusCode);
        Assert.Equal(0, (await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations"))!.Single().GetProperty("unread").GetInt64());
    }

    [Fact]
    public async Task A_read_mark_that_moves_nothing_writes_nothing_and_tells_nobody()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);
        await using var aliceHub = await ChatClient.ConnectAsync(_host, alice);
        for (var i = 0; i < 3; i++) await aliceHub.Send(conversation, $"r{i}", $"read me {i}");
        await using var bobHub = await ChatClient.ConnectAsync(_host, bob);
        await bobHub.Connection.InvokeAsync("MarkRead", conversation, 2L);
        await aliceHub.WaitFor("read", 1);
        var rowVersion = $"SELECT xmin::text FROM conversation_members WHERE conversation_id = '{conversation}' AND user_id = {bobId}";
        var written = await Sql.ScalarAsync<string>(_host.ConnectionString, rowVersion);

        // A client repeating a mark, or marking an older seq, over the hub and the API.
        for (var i = 0; i < 50; i++) await bobHub.Connection.InvokeAsync("MarkRead", conversation, i % 2 == 0 ? 2L : 1L);
        using var bobHttp = _host.Client(bob);
        Assert.Equal(HttpStatusCode.NoContent, (await bobHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/read", new { seq = 2 })).StatusCode);

        Assert.Equal(written, await Sql.ScalarAsync<string>(_host.ConnectionString, rowVersion));
        await bobHub.Connection.InvokeAsync("MarkRead", conversation, 3L);
        var reads = await aliceHub.WaitFor("read", 2);
        Assert.Equal([2L, 3L], reads.Select(r => r.GetProperty("seq").GetInt64()));
        await Task.Delay(200);
        Assert.Equal(2, aliceHub.Events("read").Count);
        Assert.NotEqual(written, await Sql.ScalarAsync<string>(_host.ConnectionString, rowVersion));
    }

    [Fact]
    public async Task Non_members_are_refused_by_the_hub_and_the_API()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        var (_, mallory) = await _host.RegisterAsync("mallory");
        var conversation = Direct(aliceId, bobId);
        await using var aliceHub = await ChatClient.ConnectAsync(_host, alice);
        await aliceHub.Send(conversation, "secret", "for bob only");

        await using var malloryHub = await ChatClient.ConnectAsync(_host, mallory);
        var error = await Assert.ThrowsAsync<HubException>(() => malloryHub.Send(conversation, "x", "let me in"));
        Assert.Contains("not a member", error.Message);
        using var malloryHttp = _host.Client(mallory);
        Assert.Equal(HttpStatusCode.Forbidden, (await malloryHttp.GetAsync($"/api/v1/conversations/{conversation}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await malloryHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "y", kind = "text", text = "hi" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await malloryHttp.GetAsync("/api/v1/conversations/x:1/messages")).StatusCode);
        Assert.Empty(malloryHub.Events("message"));

        using var aliceHttp = _host.Client(alice);
        var group = await (await aliceHttp.PostAsJsonAsync("/api/v1/groups", new { name = "private club" })).Content.ReadFromJsonAsync<JsonElement>();
        var groupConversation = group.GetProperty("conversationId").GetString()!;
        await Assert.ThrowsAsync<HubException>(() => malloryHub.Send(groupConversation, "z", "hi"));
        Assert.Equal(HttpStatusCode.Forbidden, (await malloryHttp.PostAsJsonAsync($"/api/v1/groups/{group.GetProperty("id").GetInt64()}/members", new { userIds = new[] { bobId } })).StatusCode);
    }

    [Fact]
    public async Task Messages_sent_while_a_client_was_offline_come_back_through_afterSeq()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);
        await using var aliceHub = await ChatClient.ConnectAsync(_host, alice);
        await aliceHub.Send(conversation, "a1", "seen live");

        await using (var bobHub = await ChatClient.ConnectAsync(_host, bob))
        {
            await aliceHub.Send(conversation, "a2", "also live");
            var live = await bobHub.WaitFor("message", m => m.GetProperty("seq").GetInt64() == 2);
            Assert.Equal("also live", live.GetProperty("text").GetString());
        }
        for (var i = 3; i <= 5; i++) await aliceHub.Send(conversation, $"a{i}", $"while bob was away {i}");

        using var bobHttp = _host.Client(bob);
        var missed = await bobHttp.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages?afterSeq=2");
        Assert.Equal(new long[] { 3, 4, 5 }, missed!.Select(m => m.GetProperty("seq").GetInt64()));
    }

    [Theory]
    [InlineData("{\"clientMsgId\":\"\",\"kind\":\"text\",\"text\":\"x\"}", "clientMsgId")]
    [InlineData("{\"clientMsgId\":\"a\",\"kind\":\"poem\",\"text\":\"x\"}", "kind")]
    [InlineData("{\"clientMsgId\":\"a\",\"kind\":\"text\",\"text\":\"  \"}", "text")]
    [InlineData("{\"clientMsgId\":\"a\",\"kind\":\"image\"}", "mediaId")]
    [InlineData("{\"clientMsgId\":\"a\",\"kind\":\"text\",\"text\":\"x\",\"replyToSeq\":99}", "replyToSeq")]
    [InlineData("{\"clientMsgId\":5}", "JSON")]
    public async Task Bad_sends_are_400s_and_store_nothing(string body, string expected)
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        using var client = _host.Client(alice);
        var response = await client.PostAsync($"/api/v1/conversations/{Direct(aliceId, bobId)}/messages", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task The_MessagePack_protocol_sends_too()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_host.BaseAddress, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(alice))
            .AddMessagePackProtocol()
            .Build();
        await connection.StartAsync();
        var ack = await connection.InvokeAsync<Dictionary<object, object>>("SendMessage",
            new Dictionary<string, object> { ["ConversationId"] = Direct(aliceId, bobId), ["ClientMsgId"] = "mp", ["Kind"] = "text", ["Text"] = "packed" });
        Assert.Equal(1L, Convert.ToInt64(ack["Seq"]));
        await connection.DisposeAsync();
    }
}
