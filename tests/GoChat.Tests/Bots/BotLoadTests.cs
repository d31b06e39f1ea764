using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Bots;

/// <summary>Many replies at once, on a database connection pool smaller than their number.</summary>
public sealed class BotLoadTests
{
    [Fact]
    public async Task Replies_finishing_all_at_once_never_exhaust_the_connection_pool()
    {
        const int people = 24;
        await using var model = await FakeModelServer.StartAsync();
        model.Reply = _ => new FakeReply(Pieces: ["all", " at", " once"], ChunkDelay: TimeSpan.FromMilliseconds(200));
        // A pool of 6: more replies finish together than it has connections.
        var connectionString = await TestDatabase.CreateAsync() + ";Maximum Pool Size=6;Timeout=5";
        await using var host = await GoChatHost.StartAsync(connectionString, "--GoChat:Bots:grok:Provider=openai",
            $"--GoChat:Bots:grok:Endpoint={model.Endpoint}", "--GoChat:Bots:grok:Model=grok-4");
        var askers = await Task.WhenAll(Enumerable.Range(0, people).Select(async i =>
        {
            var (_, token) = await host.RegisterAsync($"crowd{i}");
            using var http = host.Client(token);
            var bots = (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!;
            var opened = await http.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = bots[0].GetProperty("userId").GetInt64() });
            return ((await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, await ChatClient.ConnectAsync(host, token));
        }));
        try
        {
            await Task.WhenAll(askers.Select(a => a.Item2.Send(a.Item1, "crowd", "everyone asks")));
            var finished = await Task.WhenAll(askers.Select(a => a.Item2.WaitFor("messageUpdated",
                m => m.GetProperty("seq").GetInt64() == 2 && m.GetProperty("status").GetString() != "streaming", TimeSpan.FromSeconds(60))));
            Assert.All(finished, f => Assert.Equal("all at once", f.GetProperty("text").GetString()));
        }
        finally
        {
            foreach (var (_, client) in askers) await client.DisposeAsync();
        }
    }
}
