using GoChat.Grains.Calls;
using GoChat.WebFront.Calls;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// Calls over the hub (docs/calls.md): the call grains decide; these methods pass them the caller
/// and the connection, and turn refusals into HubExceptions whose message starts with the reason
/// ("not a member", "busy", "call over", "not a participant", "too many participants", "invalid").
/// </summary>
internal sealed partial class ChatHub
{
    const int MaxDeviceIdLength = 64;

    public async Task<CallDto> StartCall(string conversationId, string media)
    {
        if (!Grains.Chat.ConversationIds.TryParse(conversationId, out _, out _)) throw new HubException($"invalid: unknown conversation {Grains.FreeText.Quote(conversationId)}");
        return InCall(await grains.GetGrain<IConversationCallsGrain>(conversationId).Start(UserId, CallConnection(), media));
    }

    public async Task<CallDto> AcceptCall(string callId) => InCall(await Call(callId).Accept(UserId, CallConnection()));

    public async Task<CallDto> DeclineCall(string callId) => Answer(await Call(callId).Decline(UserId));

    public async Task<CallDto> LeaveCall(string callId) => Answer(await Call(callId).Leave(UserId));

    public async Task SendCallSignal(string callId, long toUserId, CallSignalDto signal)
    {
        if (signal is null) throw new HubException("invalid: a signal is required");
        if (await Call(callId).Relay(UserId, Context.ConnectionId, toUserId, signal.ToDomain()) is { } error) throw Refused(error);
    }

    /// <summary>Tells the calls this connection joined that it closed: each keeps its place for the reconnect grace.</summary>
    async Task CallConnectionClosed()
    {
        if (!Context.Items.TryGetValue(typeof(CallConnection), out var joined) || joined is not HashSet<Guid> callIds) return;
        foreach (var callId in callIds)
        {
            try
            {
                await grains.GetGrain<ICallGrain>(callId).ConnectionClosed(UserId, Context.ConnectionId);
            }
            catch (Exception e)
            {
                CallsLog.ConnectionClosedNotTold(Context.GetHttpContext()!.RequestServices.GetRequiredService<ILogger<ChatHub>>(), e, callId, UserId);
            }
        }
    }

    /// <summary>This connection, and the device behind it: the hub URL's "device" parameter (a page keeps it across reconnects), else the connection.</summary>
    CallConnection CallConnection()
    {
        var device = Context.GetHttpContext()?.Request.Query["device"].ToString();
        var valid = !string.IsNullOrEmpty(device) && device.Length <= MaxDeviceIdLength && device.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        return new CallConnection(Context.ConnectionId, valid ? device! : Context.ConnectionId);
    }

    ICallGrain Call(string? callId) =>
        Guid.TryParse(callId, out var id) ? grains.GetGrain<ICallGrain>(id) : throw new HubException("call over: there is no such call");

    /// <summary>The call this connection is now in: remembered, so that its closing is told to the call.</summary>
    CallDto InCall(Grains.Result<CallView> result)
    {
        var call = Answer(result);
        if (!Context.Items.TryGetValue(typeof(CallConnection), out var joined) || joined is not HashSet<Guid> callIds)
            Context.Items[typeof(CallConnection)] = callIds = [];
        callIds.Add(result.Value!.CallId);
        return call;
    }

    static CallDto Answer(Grains.Result<CallView> result) => result.Value is { } call ? CallDto.From(call) : throw Refused(result.Error!);
}
