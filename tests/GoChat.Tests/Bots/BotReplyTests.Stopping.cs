using System.Diagnostics;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Bots;

/// <summary>Stopping a reply mid-stream: who may, and what is kept.</summary>
public sealed partial class BotReplyTests
{
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
}
