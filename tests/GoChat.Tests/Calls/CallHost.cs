using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Calls;

/// <summary>One GoChat host shared by a class of call tests (each test makes its own people), with call helpers.</summary>
public class CallHost : IAsyncLifetime
{
    static int _next;

    public GoChatHost Host { get; private set; } = null!;

    /// <summary>Settings for this host (a short reconnect grace, so tests past it stay short).</summary>
    protected virtual string[] Settings => ["--GoChat:Calls:ReconnectGrace=00:00:03"];

    public async Task InitializeAsync() => Host = await GoChatHost.StartAsync(settings: Settings);

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>A new account; the name gets a suffix so tests sharing the host never collide.</summary>
    public async Task<Person> PersonAsync(string name)
    {
        var (id, token) = await Host.RegisterAsync($"{name}{Interlocked.Increment(ref _next)}");
        return new Person(this, id, token);
    }

    public async Task<string> GroupAsync(Person owner, params Person[] members)
    {
        using var http = Host.Client(owner.Token);
        var response = await http.PostAsJsonAsync("/api/v1/groups", new { name = "Call group", memberIds = members.Select(m => m.Id).ToArray() });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
    }

    public static string Direct(Person a, Person b) => $"d:{Math.Min(a.Id, b.Id)}:{Math.Max(a.Id, b.Id)}";

    /// <summary>The call message of a call, as history shows it after a reload.</summary>
    public async Task<JsonElement> CallMessageAsync(Person reader, string conversationId, string callId)
    {
        using var http = Host.Client(reader.Token);
        var history = await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversationId}/messages");
        return history!.Single(m => m.GetProperty("kind").GetString() == "call" && m.GetProperty("call").GetProperty("callId").GetString() == callId);
    }

    /// <summary>Polls history until the call message records an outcome (it is closed right after the call ends).</summary>
    public async Task<JsonElement> ClosedCallMessageAsync(Person reader, string conversationId, string callId, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var message = await CallMessageAsync(reader, conversationId, callId);
            if (message.GetProperty("call").GetProperty("outcome").ValueKind == JsonValueKind.String || DateTime.UtcNow > deadline) return message;
            await Task.Delay(100);
        }
    }
}

public sealed record Person(CallHost Calls, long Id, string Token)
{
    public Task<ChatClient> DeviceAsync(string? device = null) => ChatClient.ConnectAsync(Calls.Host, Token, device: device);
}

/// <summary>The hub's call methods on a test client.</summary>
public static class CallMethods
{
    public static Task<JsonElement> StartCall(this ChatClient c, string conversationId, string media = "video") =>
        c.Connection.InvokeAsync<JsonElement>("StartCall", conversationId, media);

    public static Task<JsonElement> AcceptCall(this ChatClient c, string callId) => c.Connection.InvokeAsync<JsonElement>("AcceptCall", callId);

    public static Task<JsonElement> DeclineCall(this ChatClient c, string callId) => c.Connection.InvokeAsync<JsonElement>("DeclineCall", callId);

    public static Task<JsonElement> LeaveCall(this ChatClient c, string callId) => c.Connection.InvokeAsync<JsonElement>("LeaveCall", callId);

    public static Task SendCallSignal(this ChatClient c, string callId, long toUserId, object signal) =>
        c.Connection.InvokeAsync("SendCallSignal", callId, toUserId, signal);

    public static object Offer(string sdp = "v=0 test offer") => new { description = new { type = "offer", sdp } };

    public static object Candidate(string candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host") =>
        new { candidate = new { candidate, sdpMid = "0", sdpMLineIndex = 0 } };

    public static string Id(this JsonElement call) => call.GetProperty("callId").GetString()!;

    public static string State(this JsonElement call) => call.GetProperty("state").GetString()!;

    public static string? Outcome(this JsonElement call) => call.GetProperty("outcome").GetString();

    public static string StateOf(this JsonElement call, Person person) =>
        call.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("userId").GetInt64() == person.Id).GetProperty("state").GetString()!;

    /// <summary>Waits for a callUpdated of this call that matches.</summary>
    public static Task<JsonElement> Updated(this ChatClient c, string callId, Func<JsonElement, bool> match, TimeSpan? within = null) =>
        c.WaitFor("callUpdated", e => e.Id() == callId && match(e), within);

    public static Task<JsonElement> Ended(this ChatClient c, string callId, TimeSpan? within = null) =>
        c.Updated(callId, e => e.State() == "ended", within);

    /// <summary>Asserts a hub call is refused with a reason ("busy", "call over", ...).</summary>
    public static async Task RefusedAs(string reason, Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HubException>(call);
        Assert.Contains($"HubException: {reason}:", refused.Message);
    }

    /// <summary>No event of this kind arrives within a short while.</summary>
    public static async Task NothingArrives(this ChatClient c, string name, TimeSpan? within = null)
    {
        await Task.Delay(within ?? TimeSpan.FromMilliseconds(700));
        Assert.Empty(c.Events(name));
    }
}
