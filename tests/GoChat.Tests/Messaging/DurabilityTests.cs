using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Messaging;

public sealed class DurabilityTests
{
    [Fact]
    public async Task When_the_database_drops_the_writers_connection_sends_go_on_and_a_retry_stores_one_message()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, aliceToken) = await host.RegisterAsync("dropped_alice");
        var (bobId, _) = await host.RegisterAsync("dropped_bob");
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        using var alice = host.Client(aliceToken);
        async Task<HttpResponseMessage> Send(string clientMsgId) =>
            await alice.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId, kind = "text", text = clientMsgId });
        Assert.Equal(System.Net.HttpStatusCode.Created, (await Send("first")).StatusCode);

        // PostgreSQL ends every session of the server (as on a failover or a restart of the database).
        await Sql.ScalarAsync<bool>(host.ConnectionString,
            "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");

        // A send that met the dead connection may be refused, but never with a 500, and the client's
        // retry (same clientMsgId) is stored once; later sends work.
        for (var attempt = 0; ; attempt++)
        {
            var response = await Send("second");
            if (response.StatusCode == System.Net.HttpStatusCode.Created) break;
            Assert.True((int)response.StatusCode is 503, $"attempt {attempt}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.True(attempt < 3, "the send never went through");
        }
        Assert.Equal(System.Net.HttpStatusCode.Created, (await Send("second")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await Send("third")).StatusCode);
        var history = await alice.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages");
        Assert.Equal(["first", "second", "third"], history!.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal([1L, 2L, 3L], history!.Select(m => m.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task A_host_restarted_mid_conversation_keeps_every_acknowledged_message_and_continues_the_seq()
    {
        string connectionString;
        string conversation;
        string aliceToken, bobToken;
        var acknowledged = new List<long>();
        await using (var host = await GoChatHost.StartAsync())
        {
            connectionString = host.ConnectionString;
            long aliceId, bobId;
            (aliceId, aliceToken) = await host.RegisterAsync("alice");
            (bobId, bobToken) = await host.RegisterAsync("bob");
            conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
            await using var alice = await ChatClient.ConnectAsync(host, aliceToken);
            var acks = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => alice.Send(conversation, $"before-{i}", $"before restart {i}")));
            acknowledged.AddRange(acks.Select(a => a.GetProperty("seq").GetInt64()));
        }

        await using (var host = await GoChatHost.StartAsync(connectionString))
        {
            await using var bob = await ChatClient.ConnectAsync(host, bobToken);
            var after = await bob.Send(conversation, "after", "after restart");
            Assert.Equal(51, after.GetProperty("seq").GetInt64());
            // a retry of a message acknowledged before the restart returns the original
            await using var alice = await ChatClient.ConnectAsync(host, aliceToken);
            var retried = await alice.Send(conversation, "before-0", "before restart 0");
            Assert.Contains(retried.GetProperty("seq").GetInt64(), acknowledged);

            using var http = host.Client(bobToken);
            var history = await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages?afterSeq=0&limit=200");
            Assert.Equal(Enumerable.Range(1, 51).Select(i => (long)i), history!.Select(m => m.GetProperty("seq").GetInt64()));
        }
        Assert.Equal(51L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM messages"));
    }
}
