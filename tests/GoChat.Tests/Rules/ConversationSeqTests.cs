using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Rules;

/// <summary>The conversation grain's ordering rules, on a TestCluster silo over real PostgreSQL.</summary>
[Trait("Tier", "Fast")]
public sealed class ConversationSeqTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task Concurrent_sends_get_consecutive_seqs_in_the_order_they_were_committed_and_history_matches()
    {
        var (a, b) = (await cluster.UserAsync("cs-a1"), await cluster.UserAsync("cs-b1"));
        var conversation = cluster.Grains.GetGrain<IConversationGrain>(ConversationIds.Direct(a, b));

        var sent = await Task.WhenAll(Enumerable.Range(1, 40).Select(i =>
            conversation.Send(i % 2 == 0 ? a : b, new SendMessage($"m{i}", "text", $"hello {i}", null, null))));

        Assert.All(sent, s => Assert.Null(s.Error));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), sent.Select(s => s.Value!.Seq).Order());
        var history = (await conversation.GetHistory(a, new HistoryQuery(0, null, 200))).Value!;
        Assert.Equal(sent.OrderBy(s => s.Value!.Seq).Select(s => s.Value!.Text), history.Select(m => m.Text));
    }

    [Fact]
    public async Task A_retried_send_returns_the_first_message_and_takes_no_new_seq()
    {
        var (a, b) = (await cluster.UserAsync("cs-a2"), await cluster.UserAsync("cs-b2"));
        var conversation = cluster.Grains.GetGrain<IConversationGrain>(ConversationIds.Direct(a, b));

        var first = await conversation.Send(a, new SendMessage("same-id", "text", "once", null, null));
        var again = await conversation.Send(a, new SendMessage("same-id", "text", "once", null, null));
        var next = await conversation.Send(a, new SendMessage("other-id", "text", "twice", null, null));

        Assert.Equal(first.Value, again.Value);
        Assert.Equal(first.Value!.Seq + 1, next.Value!.Seq);
    }

    [Fact]
    public async Task A_refused_send_takes_no_seq_and_outsiders_can_neither_send_nor_read()
    {
        var (a, b, outsider) = (await cluster.UserAsync("cs-a3"), await cluster.UserAsync("cs-b3"), await cluster.UserAsync("cs-out3"));
        var conversation = cluster.Grains.GetGrain<IConversationGrain>(ConversationIds.Direct(a, b));

        var first = await conversation.Send(a, new SendMessage("1", "text", "hi", null, null));
        Assert.Equal(ErrorKind.Invalid, (await conversation.Send(a, new SendMessage("2", "text", "   ", null, null))).Error!.Kind);
        Assert.Equal(ErrorKind.Invalid, (await conversation.Send(a, new SendMessage("3", "image", null, null, null))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await conversation.Send(outsider, new SendMessage("4", "text", "let me in", null, null))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await conversation.GetHistory(outsider, new HistoryQuery(0, null, 10))).Error!.Kind);
        var next = await conversation.Send(b, new SendMessage("5", "text", "hello", null, null));

        Assert.Equal(first.Value!.Seq + 1, next.Value!.Seq);
    }
}
