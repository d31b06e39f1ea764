using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.WebClient;

/// <summary>
/// The conversation list says how far the other user of a direct conversation has read, so the web
/// client can show "Seen" after a reload, not only when a live read event arrives.
/// </summary>
public sealed class PeerReadTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Direct_conversations_carry_the_peers_read_position_and_groups_do_not()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        using var aliceApi = _host.Client(alice);
        using var bobApi = _host.Client(bob);
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        for (var i = 1; i <= 3; i++)
        {
            var sent = await aliceApi.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = $"m{i}", kind = "text", text = $"hello {i}" });
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }
        Assert.Equal(0, (await Entry(aliceApi, conversation)).GetProperty("peerReadSeq").GetInt64());

        Assert.Equal(HttpStatusCode.NoContent, (await bobApi.PostAsJsonAsync($"/api/v1/conversations/{conversation}/read", new { seq = 2 })).StatusCode);
        var seenByBob = await Entry(aliceApi, conversation);
        Assert.Equal(2, seenByBob.GetProperty("peerReadSeq").GetInt64());
        Assert.Equal(0, seenByBob.GetProperty("readSeq").GetInt64());
        // Bob's entry shows Alice's position: she has marked nothing read.
        var bobs = await Entry(bobApi, conversation);
        Assert.Equal(2, bobs.GetProperty("readSeq").GetInt64());
        Assert.Equal(0, bobs.GetProperty("peerReadSeq").GetInt64());

        var group = await aliceApi.PostAsJsonAsync("/api/v1/groups", new { name = "team", memberIds = new[] { bobId } });
        Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        var groupConversation = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
        var groupEntry = await Entry(aliceApi, groupConversation);
        Assert.True(!groupEntry.TryGetProperty("peerReadSeq", out var none) || none.ValueKind == JsonValueKind.Null);
    }

    static async Task<JsonElement> Entry(HttpClient client, string conversationId)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/conversations");
        return list.EnumerateArray().Single(c => c.GetProperty("id").GetString() == conversationId);
    }
}
