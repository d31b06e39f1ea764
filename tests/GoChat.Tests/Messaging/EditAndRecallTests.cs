using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Messaging;

public sealed class EditAndRecallTests
{
    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    [Fact]
    public async Task Only_the_sender_edits_or_recalls_and_everyone_sees_the_change()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);
        await using var aliceHub = await ChatClient.ConnectAsync(host, alice);
        await aliceHub.Send(conversation, "typo", "helo");
        await aliceHub.Send(conversation, "secret", "my password is hunter2");
        using var aliceHttp = host.Client(alice);
        using var bobHttp = host.Client(bob);

        Assert.Equal(HttpStatusCode.Forbidden, (await bobHttp.PatchAsJsonAsync($"/api/v1/conversations/{conversation}/messages/1", new { text = "hacked" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bobHttp.DeleteAsync($"/api/v1/conversations/{conversation}/messages/2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await aliceHttp.DeleteAsync($"/api/v1/conversations/{conversation}/messages/9")).StatusCode);

        var edited = await aliceHttp.PatchAsJsonAsync($"/api/v1/conversations/{conversation}/messages/1", new { text = "hello" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await edited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("editedAt").ValueKind);
        var update = await bobHub.WaitFor("messageUpdated", m => m.GetProperty("seq").GetInt64() == 1);
        Assert.Equal("hello", update.GetProperty("text").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await aliceHttp.DeleteAsync($"/api/v1/conversations/{conversation}/messages/2")).StatusCode);
        var recall = await bobHub.WaitFor("messageUpdated", m => m.GetProperty("seq").GetInt64() == 2);
        Assert.True(recall.GetProperty("recalled").GetBoolean());
        Assert.Equal("", recall.GetProperty("text").GetString());

        var history = await bobHttp.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages");
        Assert.Equal("hello", history![0].GetProperty("text").GetString());
        Assert.True(history[1].GetProperty("recalled").GetBoolean());
        Assert.Equal("", history[1].GetProperty("text").GetString());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM messages WHERE text LIKE '%hunter2%'"));
        Assert.Equal(HttpStatusCode.Conflict, (await aliceHttp.PatchAsJsonAsync($"/api/v1/conversations/{conversation}/messages/2", new { text = "undo" })).StatusCode);
    }

    [Fact]
    public async Task Edits_and_recalls_are_refused_after_the_configured_window()
    {
        await using var host = await GoChatHost.StartAsync(settings: ["--GoChat:Messages:EditWindow=00:00:01", "--GoChat:Messages:RecallWindow=00:00:01"]);
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, _) = await host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);
        using var aliceHttp = host.Client(alice);
        await aliceHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "old", kind = "text", text = "old news" });
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.Forbidden, (await aliceHttp.PatchAsJsonAsync($"/api/v1/conversations/{conversation}/messages/1", new { text = "new" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await aliceHttp.DeleteAsync($"/api/v1/conversations/{conversation}/messages/1")).StatusCode);
    }
}
