using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Bots;

/// <summary>What bounds a bot: its rate, its daily token budget, and its queue per conversation.</summary>
public sealed partial class BotReplyTests
{
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
}
