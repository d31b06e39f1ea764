using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Messaging;

public sealed class DurabilityTests
{
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
