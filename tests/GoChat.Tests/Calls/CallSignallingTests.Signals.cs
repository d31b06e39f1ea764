using GoChat.Tests.Infrastructure;
using static GoChat.Tests.Calls.CallMethods;

namespace GoChat.Tests.Calls;

/// <summary>Who may signal whom in a call, and a group call's mesh.</summary>
public sealed partial class CallSignallingTests
{
    [Fact]
    public async Task Signals_reach_only_the_connection_in_the_call_and_anyone_else_is_refused_with_nothing_relayed()
    {
        var (alice, bob, carol, mallory) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"), await calls.PersonAsync("carol"), await calls.PersonAsync("mallory"));
        var group = await calls.GroupAsync(alice, bob, carol);
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        await using var bobLaptop = await bob.DeviceAsync();
        await using var carolHub = await carol.DeviceAsync();
        await using var malloryHub = await mallory.DeviceAsync();

        var callId = (await aliceHub.StartCall(group)).Id();
        await carolHub.WaitFor("callRinging", e => e.Id() == callId);
        await bobPhone.AcceptCall(callId);

        await RefusedAs("not a participant", () => malloryHub.SendCallSignal(callId, alice.Id, Offer("from mallory")));
        await RefusedAs("not a participant", () => carolHub.SendCallSignal(callId, alice.Id, Offer("from carol, only rung")));
        await RefusedAs("not a participant", () => bobLaptop.SendCallSignal(callId, alice.Id, Offer("from bob's other device")));
        await RefusedAs("not a participant", () => aliceHub.SendCallSignal(callId, carol.Id, Offer("to carol, not in the call")));
        await RefusedAs("not a participant", () => aliceHub.SendCallSignal(callId, mallory.Id, Offer("to mallory")));
        await RefusedAs("invalid", () => aliceHub.SendCallSignal(callId, bob.Id, new { }));
        await RefusedAs("invalid", () => aliceHub.SendCallSignal(callId, bob.Id, Offer(new string('x', 40_000)[..30_001])));
        await aliceHub.NothingArrives("callSignal");
        foreach (var other in new[] { bobPhone, bobLaptop, carolHub, malloryHub }) Assert.Empty(other.Events("callSignal"));

        await aliceHub.SendCallSignal(callId, bob.Id, Offer("v=0 alice"));
        await aliceHub.SendCallSignal(callId, bob.Id, Candidate());
        var signals = await bobPhone.WaitFor("callSignal", 2);
        Assert.Equal(alice.Id, signals[0].GetProperty("fromUserId").GetInt64());
        Assert.Equal("v=0 alice", signals[0].GetProperty("signal").GetProperty("description").GetProperty("sdp").GetString());
        Assert.Equal("127.0.0.1", signals[1].GetProperty("signal").GetProperty("candidate").GetProperty("candidate").GetString()!.Split(' ')[4]);
        await bobPhone.SendCallSignal(callId, alice.Id, new { description = new { type = "answer", sdp = "v=0 bob" } });
        await aliceHub.WaitFor("callSignal", e => e.GetProperty("fromUserId").GetInt64() == bob.Id);
        await bobLaptop.NothingArrives("callSignal");
        Assert.Empty(carolHub.Events("callSignal"));
        Assert.Empty(malloryHub.Events("callSignal"));

        await RefusedAs("not a member", () => malloryHub.StartCall(group));
        await RefusedAs("not a member", () => malloryHub.AcceptCall(callId));
        await aliceHub.LeaveCall(callId);
        await RefusedAs("call over", () => bobPhone.SendCallSignal(callId, alice.Id, Offer()));
    }

    [Fact]
    public async Task A_group_call_rings_every_member_later_answers_join_and_the_mesh_refuses_one_too_many()
    {
        var people = new List<Person>();
        for (var i = 0; i < 5; i++) people.Add(await calls.PersonAsync($"member"));
        var group = await calls.GroupAsync(people[0], people.Skip(1).ToArray());
        var hubs = new List<ChatClient>();
        try
        {
            foreach (var person in people) hubs.Add(await person.DeviceAsync());
            var call = await hubs[0].StartCall(group, "audio");
            var callId = call.Id();
            foreach (var hub in hubs.Skip(1)) await hub.WaitFor("callRinging", e => e.Id() == callId);

            Assert.Equal("accepted", (await hubs[1].AcceptCall(callId)).State());
            await hubs[2].AcceptCall(callId);
            // Starting a call where one rings joins it.
            var joined = await hubs[3].StartCall(group, "video");
            Assert.Equal(callId, joined.Id());
            Assert.Equal("audio", joined.GetProperty("media").GetString());
            await RefusedAs("too many participants", () => hubs[4].AcceptCall(callId));

            // Someone leaving makes room; the call goes on while two remain.
            await hubs[1].LeaveCall(callId);
            var afterLeave = await hubs[0].Updated(callId, e => e.StateOf(people[1]) == "left");
            Assert.Equal("accepted", afterLeave.State());
            await hubs[4].AcceptCall(callId);
            foreach (var hub in new[] { hubs[0], hubs[2], hubs[3] }) await hub.LeaveCall(callId);
            Assert.Equal("completed", (await hubs[1].Ended(callId)).Outcome());
        }
        finally
        {
            foreach (var hub in hubs) await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_participant_flooding_signals_is_refused_after_the_burst_and_may_signal_again_a_moment_later()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobHub = await bob.DeviceAsync();
        var callId = (await aliceHub.StartCall(CallHost.Direct(alice, bob), "audio")).Id();
        await bobHub.WaitFor("callRinging", e => e.Id() == callId);
        await bobHub.AcceptCall(callId);

        var relayed = 0;
        Microsoft.AspNetCore.SignalR.HubException? refused = null;
        while (refused is null && relayed < 1000)
        {
            try
            {
                await aliceHub.SendCallSignal(callId, bob.Id, Candidate());
                relayed++;
            }
            catch (Microsoft.AspNetCore.SignalR.HubException e)
            {
                refused = e;
            }
        }
        Assert.NotNull(refused);
        Assert.Contains("HubException: rate limited: too many call signals", refused.Message);
        Assert.InRange(relayed, 200, 999); // the burst, and what refilled while it was sent

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await aliceHub.SendCallSignal(callId, bob.Id, Candidate());
        await aliceHub.LeaveCall(callId);
    }
}
