using System.Diagnostics;
using System.Text.Json;
using static GoChat.Tests.Calls.CallMethods;

namespace GoChat.Tests.Calls;

/// <summary>
/// Calls through the real hub, with two devices (hub connections) per callee: ringing, answering,
/// declining, cancelling, busy, glare, who may signal whom, and the call message.
/// </summary>
public sealed partial class CallSignallingTests(CallHost calls) : IClassFixture<CallHost>
{
    [Fact]
    public async Task A_call_rings_every_device_of_the_callee_and_answering_on_one_stops_the_other_within_a_second()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        await using var bobLaptop = await bob.DeviceAsync();

        var call = await aliceHub.StartCall(CallHost.Direct(alice, bob), "video");
        Assert.Equal("ringing", call.State());
        Assert.Equal("joined", call.StateOf(alice));
        Assert.Equal("ringing", call.StateOf(bob));
        var callId = call.Id();
        await bobPhone.WaitFor("callRinging", e => e.Id() == callId);
        await bobLaptop.WaitFor("callRinging", e => e.Id() == callId);
        Assert.Empty(aliceHub.Events("callRinging"));

        var answered = await bobPhone.AcceptCall(callId);
        var clock = Stopwatch.StartNew();
        Assert.Equal("accepted", answered.State());
        var atLaptop = await bobLaptop.Updated(callId, e => e.StateOf(bob) == "joined", within: TimeSpan.FromSeconds(1));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the other device heard of the answer after {clock.Elapsed}");
        Assert.Equal("accepted", atLaptop.State());
        await RefusedAs("busy", () => bobLaptop.AcceptCall(callId));
        await aliceHub.Updated(callId, e => e.State() == "accepted");

        await aliceHub.LeaveCall(callId);
        foreach (var device in new[] { aliceHub, bobPhone, bobLaptop })
            Assert.Equal("completed", (await device.Ended(callId)).Outcome());
        await RefusedAs("call over", () => bobPhone.AcceptCall(callId));
    }

    [Fact]
    public async Task Declining_on_one_device_declines_the_call_for_everyone_and_the_call_message_says_so()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        await using var bobLaptop = await bob.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);

        var callId = (await aliceHub.StartCall(conversation, "audio")).Id();
        await bobLaptop.WaitFor("callRinging", e => e.Id() == callId);
        await bobLaptop.DeclineCall(callId);

        Assert.Equal("declined", (await aliceHub.Ended(callId)).Outcome());
        Assert.Equal("declined", (await bobPhone.Ended(callId)).StateOf(bob));
        await RefusedAs("call over", () => bobPhone.AcceptCall(callId));
        var message = await calls.ClosedCallMessageAsync(bob, conversation, callId);
        Assert.Equal("declined", message.GetProperty("call").GetProperty("outcome").GetString());
        Assert.Equal("Declined voice call", message.GetProperty("text").GetString());
        Assert.Equal(alice.Id, message.GetProperty("senderId").GetInt64());
    }

    [Fact]
    public async Task A_caller_who_hangs_up_before_an_answer_cancels_the_call_on_every_device()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();
        await using var bobLaptop = await bob.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);

        var callId = (await aliceHub.StartCall(conversation)).Id();
        await bobPhone.WaitFor("callRinging", e => e.Id() == callId);
        var cancelled = await aliceHub.LeaveCall(callId);
        Assert.Equal("cancelled", cancelled.Outcome());

        foreach (var device in new[] { bobPhone, bobLaptop })
        {
            var ended = await device.Ended(callId);
            Assert.Equal("cancelled", ended.Outcome());
            Assert.Equal("missed", ended.StateOf(bob));
        }
        await RefusedAs("call over", () => bobPhone.AcceptCall(callId));
        var message = await calls.ClosedCallMessageAsync(alice, conversation, callId);
        Assert.Equal("cancelled", message.GetProperty("call").GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("call").GetProperty("durationSeconds").ValueKind);
    }

    [Fact]
    public async Task Calling_someone_in_another_call_ends_as_busy_and_someone_in_a_call_cannot_start_or_answer_another()
    {
        var (alice, bob, carol) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"), await calls.PersonAsync("carol"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobHub = await bob.DeviceAsync();
        await using var carolHub = await carol.DeviceAsync();

        var first = (await aliceHub.StartCall(CallHost.Direct(alice, bob))).Id();
        await bobHub.AcceptCall(first);

        var toBob = await carolHub.StartCall(CallHost.Direct(carol, bob), "audio");
        Assert.Equal("ended", toBob.State());
        Assert.Equal("busy", toBob.Outcome());
        Assert.Equal("busy", toBob.StateOf(bob));
        Assert.DoesNotContain(bobHub.Events("callRinging"), e => e.Id() == toBob.Id());
        var message = await calls.ClosedCallMessageAsync(carol, CallHost.Direct(carol, bob), toBob.Id());
        Assert.Equal("busy", message.GetProperty("call").GetProperty("outcome").GetString());

        await RefusedAs("busy", () => aliceHub.StartCall(CallHost.Direct(alice, carol)));
        var toAlice = await carolHub.StartCall(CallHost.Direct(carol, alice));
        Assert.Equal("busy", toAlice.Outcome());

        // Once the first call is over, both are free again.
        await aliceHub.LeaveCall(first);
        await bobHub.Ended(first);
        var again = await carolHub.StartCall(CallHost.Direct(carol, bob));
        Assert.Equal("ringing", again.State());
        await bobHub.AcceptCall(again.Id());
        await carolHub.LeaveCall(again.Id());
    }

    [Fact]
    public async Task Two_people_calling_each_other_at_once_get_one_connected_call()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobHub = await bob.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);

        var fromAlice = aliceHub.StartCall(conversation);
        await Task.Delay(50);
        var fromBob = bobHub.StartCall(conversation);
        var (a, b) = (await fromAlice, await fromBob);

        Assert.Equal(a.Id(), b.Id());
        Assert.Equal("accepted", b.State());
        await aliceHub.Updated(a.Id(), e => e.State() == "accepted");
        using var http = calls.Host.Client(alice.Token);
        var callMessages = (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<JsonElement[]>(http, $"/api/v1/conversations/{conversation}/messages"))!
            .Count(m => m.GetProperty("kind").GetString() == "call");
        Assert.Equal(1, callMessages);

        // And both can signal each other on it.
        await aliceHub.SendCallSignal(a.Id(), bob.Id, Offer());
        await bobHub.WaitFor("callSignal", e => e.GetProperty("callId").GetString() == a.Id());
        await bobHub.LeaveCall(a.Id());
        Assert.Equal("completed", (await aliceHub.Ended(a.Id())).Outcome());
    }
}
