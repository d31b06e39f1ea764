using GoChat.Grains.Calls;
using GoChat.Grains.Chat;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Calls;

/// <summary>The call state machine on a TestCluster silo, with no WebFront: the grains' own rules and timers.</summary>
[Trait("Tier", "Fast")]
public sealed class CallRulesTests(CallRulesTests.Cluster cluster) : IClassFixture<CallRulesTests.Cluster>
{
    public sealed class Cluster : GrainCluster
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["GoChat:Calls:RingTimeout"] = "00:00:01",
            ["GoChat:Calls:ReconnectGrace"] = "00:00:01",
            ["GoChat:Calls:MaxMeshParticipants"] = "3",
        };
    }

    static int _next;

    static CallConnection On(string device) => new($"conn-{device}-{Interlocked.Increment(ref _next)}", device);

    async Task<(long A, long B, string Conversation)> PairAsync()
    {
        var n = Interlocked.Increment(ref _next);
        var a = await cluster.UserAsync($"ruleA{n}");
        var b = await cluster.UserAsync($"ruleB{n}");
        return (a, b, ConversationIds.Direct(a, b));
    }

    IConversationCallsGrain Calls(string conversation) => cluster.Grains.GetGrain<IConversationCallsGrain>(conversation);

    ICallGrain Call(Guid id) => cluster.Grains.GetGrain<ICallGrain>(id);

    async Task<CallView> EndedAsync(Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await Call(id).Get() is { Over: true } ended) return ended;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("the call did not end");
    }

    [Fact]
    public async Task A_call_nobody_touches_again_ends_as_missed_by_its_own_timer()
    {
        var (a, _, conversation) = await PairAsync();
        var call = (await Calls(conversation).Start(a, On("a"), CallMedia.Audio)).Value!;
        Assert.Equal(CallStates.Ringing, call.State);

        var ended = await EndedAsync(call.CallId);
        Assert.Equal(CallOutcomes.Missed, ended.Outcome);
        Assert.Null(await cluster.Grains.GetGrain<IUserCallsGrain>(a).Current());
    }

    [Fact]
    public async Task The_first_accept_wins_another_device_of_the_same_person_is_busy_and_the_same_device_moves_to_its_new_connection()
    {
        var (a, b, conversation) = await PairAsync();
        var callId = (await Calls(conversation).Start(a, On("a"), CallMedia.Video)).Value!.CallId;

        var phone = On("phone");
        var answered = await Call(callId).Accept(b, phone);
        Assert.Equal(CallStates.Accepted, answered.Value!.State);
        var laptop = await Call(callId).Accept(b, On("laptop"));
        Assert.StartsWith("busy:", laptop.Error!.Message);

        var phoneAgain = new CallConnection("conn-phone-new", "phone");
        Assert.True((await Call(callId).Accept(b, phoneAgain)).Ok);
        Assert.StartsWith("not a participant:", (await Call(callId).Relay(b, phone.ConnectionId, a, new CallSignal(null, new IceCandidate("", "0", 0, null))))!.Message);
        Assert.Null(await Call(callId).Relay(b, phoneAgain.ConnectionId, a, new CallSignal(null, new IceCandidate("", "0", 0, null))));
        await Call(callId).Leave(a);
        Assert.Equal(CallOutcomes.Completed, (await Call(callId).Get())!.Outcome);
    }

    [Fact]
    public async Task Two_starts_in_one_conversation_at_once_make_one_accepted_call()
    {
        var (a, b, conversation) = await PairAsync();
        var results = await Task.WhenAll(Calls(conversation).Start(a, On("a"), CallMedia.Video), Calls(conversation).Start(b, On("b"), CallMedia.Audio));

        Assert.Equal(results[0].Value!.CallId, results[1].Value!.CallId);
        Assert.Equal(CallStates.Accepted, (await Call(results[0].Value!.CallId).Get())!.State);
        await Call(results[0].Value!.CallId).Leave(a);
    }

    [Fact]
    public async Task A_callee_in_another_call_is_busy_until_that_call_ends()
    {
        var (a, b, ab) = await PairAsync();
        var c = await cluster.UserAsync($"ruleC{Interlocked.Increment(ref _next)}");
        var first = (await Calls(ab).Start(a, On("a"), CallMedia.Audio)).Value!.CallId;
        await Call(first).Accept(b, On("b"));

        var toB = (await Calls(ConversationIds.Direct(c, b)).Start(c, On("c"), CallMedia.Audio)).Value!;
        Assert.Equal(CallOutcomes.Busy, toB.Outcome);
        Assert.StartsWith("busy:", (await Calls(ConversationIds.Direct(a, c)).Start(a, On("a2"), CallMedia.Audio)).Error!.Message);

        await Call(first).Leave(b);
        var again = (await Calls(ConversationIds.Direct(c, b)).Start(c, On("c"), CallMedia.Audio)).Value!;
        Assert.Equal(CallStates.Ringing, again.State);
        await Call(again.CallId).Leave(c);
    }

    [Fact]
    public async Task A_call_that_no_longer_holds_someone_never_leaves_them_busy()
    {
        var (a, b, conversation) = await PairAsync();
        // The user grain remembers a call whose grain has no such participant (as when that call's silo died).
        Assert.Null(await cluster.Grains.GetGrain<IUserCallsGrain>(b).Enter(Guid.NewGuid()));

        var call = (await Calls(conversation).Start(a, On("a"), CallMedia.Audio)).Value!;
        Assert.Equal(ParticipantStates.Ringing, call.Participants.Single(p => p.UserId == b).State);
        await Call(call.CallId).Leave(a);
    }

    [Fact]
    public async Task A_group_call_takes_members_up_to_the_mesh_limit_and_refuses_outsiders()
    {
        var n = Interlocked.Increment(ref _next);
        var ids = new List<long>();
        for (var i = 0; i < 4; i++) ids.Add(await cluster.UserAsync($"mesh{n}x{i}"));
        var outsider = await cluster.UserAsync($"outsider{n}");
        var groupId = 900_000 + n;
        var created = await cluster.Grains.GetGrain<IGroupGrain>(groupId).Create(ids[0], new NewGroup("mesh", null, null, ids.Skip(1).ToList()));
        Assert.True(created.Ok, created.Error?.Message);
        var conversation = ConversationIds.Group(groupId);

        Assert.StartsWith("not a member:", (await Calls(conversation).Start(outsider, On("o"), CallMedia.Video)).Error!.Message);
        var call = (await Calls(conversation).Start(ids[0], On("0"), CallMedia.Video)).Value!;
        Assert.Equal(3, call.Participants.Count(p => p.State == ParticipantStates.Ringing));
        Assert.StartsWith("not a member:", (await Call(call.CallId).Accept(outsider, On("o"))).Error!.Message);
        Assert.True((await Call(call.CallId).Accept(ids[1], On("1"))).Ok);
        Assert.True((await Call(call.CallId).Accept(ids[2], On("2"))).Ok);
        Assert.StartsWith("too many participants:", (await Call(call.CallId).Accept(ids[3], On("3"))).Error!.Message);

        // The ring timeout passes: who never answered missed it, the call goes on.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Call(call.CallId).Get())!.Participants.Single(p => p.UserId == ids[3]).State != ParticipantStates.Missed && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        var afterRing = (await Call(call.CallId).Get())!;
        Assert.Equal(ParticipantStates.Missed, afterRing.Participants.Single(p => p.UserId == ids[3]).State);
        Assert.Equal(CallStates.Accepted, afterRing.State);
        foreach (var id in ids.Take(3)) await Call(call.CallId).Leave(id);
    }

    [Fact]
    public async Task A_dropped_connection_is_kept_for_the_grace_and_then_ends_a_two_person_call_as_failed()
    {
        var (a, b, conversation) = await PairAsync();
        var callId = (await Calls(conversation).Start(a, On("a"), CallMedia.Audio)).Value!.CallId;
        var bob = On("b");
        await Call(callId).Accept(b, bob);

        await Call(callId).ConnectionClosed(b, "some-other-connection");
        Assert.Equal(ParticipantStates.Joined, (await Call(callId).Get())!.Participants.Single(p => p.UserId == b).State);
        await Call(callId).ConnectionClosed(b, bob.ConnectionId);
        Assert.Equal(ParticipantStates.Reconnecting, (await Call(callId).Get())!.Participants.Single(p => p.UserId == b).State);
        Assert.True(await Call(callId).Holds(b));

        var ended = await EndedAsync(callId);
        Assert.Equal(CallOutcomes.Failed, ended.Outcome);
        Assert.False(await Call(callId).Holds(b));
    }
}
