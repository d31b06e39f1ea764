using GoChat.WebFront.Calls;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>The hub events of calls (docs/api.md, "Calls").</summary>
public partial interface IChatClient
{
    /// <summary>A call rings this user: sent to every connection of the callee.</summary>
    [HubMethodName("callRinging")]
    Task CallRinging(CallDto call);

    /// <summary>A call of one of the user's conversations changed: state, participants, outcome.</summary>
    [HubMethodName("callUpdated")]
    Task CallUpdated(CallDto call);

    /// <summary>A WebRTC signal from another participant, to the one connection this user is in the call with.</summary>
    [HubMethodName("callSignal")]
    Task CallSignal(CallSignalEventDto signal);
}
