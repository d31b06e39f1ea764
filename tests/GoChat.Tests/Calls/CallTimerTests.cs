using System.Text.Json;
using static GoChat.Tests.Calls.CallMethods;

namespace GoChat.Tests.Calls;

/// <summary>The call grain's timers, through the real hub: the ring timeout and the reconnect grace.</summary>
public sealed class CallTimerTests(CallTimerTests.ShortRing calls) : IClassFixture<CallTimerTests.ShortRing>
{
    /// <summary>Rings for one second; keeps a lost participant for three.</summary>
    public sealed class ShortRing : CallHost
    {
        protected override string[] Settings => ["--GoChat:Calls:RingTimeout=00:00:01", "--GoChat:Calls:ReconnectGrace=00:00:03"];
    }

    [Fact]
    public async Task An_unanswered_call_ends_as_missed_after_the_ring_timeout_on_both_sides()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        await using var bobLaptop = await bob.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);

        var callId = (await aliceHub.StartCall(conversation, "audio")).Id();
        await bobPhone.WaitFor("callRinging", e => e.Id() == callId);
        foreach (var device in new[] { aliceHub, bobPhone, bobLaptop })
        {
            var ended = await device.Ended(callId, within: TimeSpan.FromSeconds(10));
            Assert.Equal("missed", ended.Outcome());
            Assert.Equal("missed", ended.StateOf(bob));
        }
        await RefusedAs("call over", () => bobLaptop.AcceptCall(callId));
        var message = await calls.ClosedCallMessageAsync(bob, conversation, callId);
        Assert.Equal("missed", message.GetProperty("call").GetProperty("outcome").GetString());
        Assert.Equal("Missed voice call", message.GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_server_ends_an_unanswered_call_as_missed_even_when_every_client_has_gone()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        var conversation = CallHost.Direct(alice, bob);
        string callId;
        await using (var aliceHub = await alice.DeviceAsync())
        await using (var bobHub = await bob.DeviceAsync())
        {
            callId = (await aliceHub.StartCall(conversation)).Id();
            await bobHub.WaitFor("callRinging", e => e.Id() == callId);
        }

        var message = await calls.ClosedCallMessageAsync(bob, conversation, callId, within: TimeSpan.FromSeconds(10));
        Assert.Equal("missed", message.GetProperty("call").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_participant_whose_connection_drops_keeps_their_place_for_the_grace_and_comes_back_on_a_new_connection()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        var bobHub = await bob.DeviceAsync();
        var callId = (await aliceHub.StartCall(CallHost.Direct(alice, bob))).Id();
        await bobHub.AcceptCall(callId);

        await bobHub.DisposeAsync();
        var away = await aliceHub.Updated(callId, e => e.StateOf(bob) == "reconnecting");
        Assert.Equal("accepted", away.State());
        await using var bobAgain = await bob.DeviceAsync();
        var back = await bobAgain.AcceptCall(callId);
        Assert.Equal("joined", back.StateOf(bob));
        await aliceHub.Updated(callId, e => e.StateOf(bob) == "joined" && e.State() == "accepted");

        // Past the grace, the call is still on: bob is back, and signals reach his new connection.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await aliceHub.SendCallSignal(callId, bob.Id, Offer("after the reconnect"));
        await bobAgain.WaitFor("callSignal", e => e.GetProperty("callId").GetString() == callId);
        Assert.DoesNotContain(aliceHub.Events("callUpdated"), e => e.Id() == callId && e.State() == "ended");
        await aliceHub.LeaveCall(callId);
    }

    [Fact]
    public async Task A_participant_gone_past_the_grace_ends_the_call_as_failed_with_its_duration()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        var bobHub = await bob.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);
        var callId = (await aliceHub.StartCall(conversation)).Id();
        await bobHub.AcceptCall(callId);

        await bobHub.DisposeAsync();
        await aliceHub.Updated(callId, e => e.StateOf(bob) == "reconnecting");
        var ended = await aliceHub.Ended(callId, within: TimeSpan.FromSeconds(10));
        Assert.Equal("failed", ended.Outcome());
        Assert.Equal("left", ended.StateOf(bob));
        var message = await calls.ClosedCallMessageAsync(alice, conversation, callId);
        Assert.Equal("failed", message.GetProperty("call").GetProperty("outcome").GetString());
        Assert.InRange(message.GetProperty("call").GetProperty("durationSeconds").GetInt32(), 2, 10);

        // Bob is free again: a new call rings him.
        await using var bobAgain = await bob.DeviceAsync();
        var next = await aliceHub.StartCall(conversation);
        await bobAgain.WaitFor("callRinging", e => e.Id() == next.Id());
        await aliceHub.LeaveCall(next.Id());
    }

    [Fact]
    public async Task The_same_device_on_a_new_connection_takes_its_place_in_the_call_before_the_old_one_is_noticed_gone()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobOld = await bob.DeviceAsync(device: "bob-phone");
        var callId = (await aliceHub.StartCall(CallHost.Direct(alice, bob))).Id();
        await bobOld.AcceptCall(callId);

        // The phone's page connects again (a network change) while the server still holds its old connection.
        await using var bobNew = await bob.DeviceAsync(device: "bob-phone");
        await using var bobLaptop = await bob.DeviceAsync(device: "bob-laptop");
        await bobNew.AcceptCall(callId);
        await RefusedAs("busy", () => bobLaptop.AcceptCall(callId));
        await aliceHub.SendCallSignal(callId, bob.Id, Offer("to the new connection"));
        await bobNew.WaitFor("callSignal", e => e.GetProperty("callId").GetString() == callId);
        Assert.Empty(bobOld.Events("callSignal"));
        await RefusedAs("not a participant", () => bobOld.SendCallSignal(callId, alice.Id, Offer("from the old connection")));
        await aliceHub.LeaveCall(callId);
    }
}
