using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Bots;

/// <summary>Bots in groups: when they answer, and that they never answer each other.</summary>
public sealed partial class BotReplyTests
{
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
}
