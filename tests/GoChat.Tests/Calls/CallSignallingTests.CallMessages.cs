using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using static GoChat.Tests.Calls.CallMethods;

namespace GoChat.Tests.Calls;

/// <summary>The call message in the conversation, and what Sync says of calls still open.</summary>
public sealed partial class CallSignallingTests
{
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

    [Fact]
    public async Task A_device_that_connects_while_the_call_message_is_being_stored_still_rings()
    {
        var (alice, bob) = (await calls.PersonAsync("alice"), await calls.PersonAsync("bob"));
        await using var aliceHub = await alice.DeviceAsync();
        await using var bobPhone = await bob.DeviceAsync();

        // The test holds the messages table so the call message cannot commit yet (reads still go on).
        await using var db = new Npgsql.NpgsqlConnection(calls.Host.ConnectionString);
        await db.OpenAsync();
        await using var hold = await db.BeginTransactionAsync();
        await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE messages IN SHARE MODE", db, hold)) await lockTable.ExecuteNonQueryAsync();

        var starting = aliceHub.StartCall(CallHost.Direct(alice, bob), "audio");
        try
        {
            // A ring sent before the commit reaches the phone now; the laptop connects after it and syncs
            // before the commit, so it would neither hear that ring nor find the call in Sync.
            await bobPhone.WaitFor("callRinging", _ => true, within: TimeSpan.FromSeconds(1.5));
        }
        catch (Xunit.Sdk.XunitException)
        {
        }
        await using var bobLaptop = await bob.DeviceAsync();
        var synced = await bobLaptop.Connection.InvokeAsync<JsonElement>("Sync");
        var listed = synced.EnumerateArray().Any(c => c.TryGetProperty("call", out var call) && call.ValueKind == JsonValueKind.Object);

        await hold.CommitAsync();
        var callId = (await starting).Id();
        if (!listed) await bobLaptop.WaitFor("callRinging", e => e.Id() == callId, within: TimeSpan.FromSeconds(10));
        await bobPhone.WaitFor("callRinging", e => e.Id() == callId);
        await aliceHub.LeaveCall(callId);
    }
}
