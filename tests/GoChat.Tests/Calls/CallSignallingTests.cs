using System.Diagnostics;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using static GoChat.Tests.Calls.CallMethods;

namespace GoChat.Tests.Calls;

/// <summary>
/// Calls through the real hub, with two devices (hub connections) per callee: ringing, answering,
/// declining, cancelling, busy, glare, who may signal whom, and the call message.
/// </summary>
public sealed class CallSignallingTests(CallHost calls) : IClassFixture<CallHost>
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
    public async Task The_call_message_is_updated_in_place_with_the_duration_and_history_shows_it_after_a_reload()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobHub = await bob.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);

        var callId = (await aliceHub.StartCall(conversation, "video")).Id();
        var posted = await bobHub.WaitFor("message", m => m.GetProperty("kind").GetString() == "call");
        Assert.Equal(callId, posted.GetProperty("call").GetProperty("callId").GetString());
        Assert.Equal(JsonValueKind.Null, posted.GetProperty("call").GetProperty("outcome").ValueKind);
        Assert.Equal("Video call", posted.GetProperty("text").GetString());

        await bobHub.AcceptCall(callId);
        await Task.Delay(2200);
        await bobHub.LeaveCall(callId);

        var updated = await aliceHub.WaitFor("messageUpdated", m => m.GetProperty("seq").GetInt64() == posted.GetProperty("seq").GetInt64());
        Assert.Equal("completed", updated.GetProperty("call").GetProperty("outcome").GetString());
        var message = await calls.CallMessageAsync(alice, conversation, callId);
        Assert.Equal(posted.GetProperty("seq").GetInt64(), message.GetProperty("seq").GetInt64());
        var duration = message.GetProperty("call").GetProperty("durationSeconds").GetInt32();
        Assert.InRange(duration, 2, 5);
        Assert.Equal($"Video call, 0:0{duration}", message.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("editedAt").ValueKind);

        // Nobody else writes, edits or recalls call messages.
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
            aliceHub.Connection.InvokeAsync<JsonElement>("SendMessage", new { conversationId = conversation, clientMsgId = "fake", kind = "call", text = "Missed call" }));
        using var http = calls.Host.Client(alice.Token);
        var edit = await System.Net.Http.Json.HttpClientJsonExtensions.PatchAsJsonAsync(http, $"/api/v1/conversations/{conversation}/messages/{message.GetProperty("seq").GetInt64()}", new { text = "no call" });
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, edit.StatusCode);
    }

    [Fact]
    public async Task Sync_returns_a_call_still_ringing_or_running_so_a_new_connection_knows_of_it()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        var conversation = CallHost.Direct(alice, bob);
        var callId = (await aliceHub.StartCall(conversation)).Id();

        await using var bobHub = await bob.DeviceAsync();
        var listed = (await bobHub.Connection.InvokeAsync<JsonElement[]>("Sync")).Single(c => c.GetProperty("id").GetString() == conversation);
        Assert.Equal(callId, listed.GetProperty("call").Id());
        Assert.Equal("ringing", listed.GetProperty("call").State());

        await bobHub.AcceptCall(callId);
        listed = (await aliceHub.Connection.InvokeAsync<JsonElement[]>("Sync")).Single(c => c.GetProperty("id").GetString() == conversation);
        Assert.Equal("accepted", listed.GetProperty("call").State());

        await aliceHub.LeaveCall(callId);
        await bobHub.Ended(callId);
        await calls.ClosedCallMessageAsync(bob, conversation, callId);
        listed = (await bobHub.Connection.InvokeAsync<JsonElement[]>("Sync")).Single(c => c.GetProperty("id").GetString() == conversation);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("call").ValueKind);
    }

    [Fact]
    public async Task A_call_message_whose_call_no_grain_knows_any_more_is_closed_as_failed_when_Sync_meets_it()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        var conversation = CallHost.Direct(alice, bob);
        using (var http = calls.Host.Client(alice.Token))
            (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "/api/v1/conversations/direct", new { userId = bob.Id })).EnsureSuccessStatusCode();
        // The message of a call whose grain died with its silo: still open, and no grain knows the call.
        var lost = Guid.NewGuid();
        await Sql.ExecuteAsync(calls.Host.ConnectionString, $$"""
            INSERT INTO messages (conversation_id, seq, sender_id, kind, text, client_msg_id, sent_at, call)
            VALUES ('{{conversation}}', 1, {{alice.Id}}, 7, 'Video call', 'call:{{lost:N}}', now(),
                    '{"callId": "{{lost}}", "media": "video", "outcome": null, "durationSeconds": null, "endedAt": null}')
            """);

        await using var bobHub = await bob.DeviceAsync();
        var listed = (await bobHub.Connection.InvokeAsync<JsonElement[]>("Sync")).Single(c => c.GetProperty("id").GetString() == conversation);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("call").ValueKind);
        var closed = await calls.ClosedCallMessageAsync(bob, conversation, lost.ToString());
        Assert.Equal("failed", closed.GetProperty("call").GetProperty("outcome").GetString());
        Assert.Equal("Video call failed", closed.GetProperty("text").GetString());
    }
}
