using GoChat.Grains.Chat;

namespace GoChat.Grains.Calls;

/// <summary>On a callee's user route: a call rings every connection of theirs (wire: "callRinging").</summary>
[GenerateSerializer, Immutable]
public sealed record CallRinging(CallView Call) : ChatEvent;

/// <summary>
/// A call changed (state, participants, outcome), on the routes of its conversation: both users'
/// of a direct one, the group's of a group one (wire: "callUpdated").
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallUpdated(CallView Call) : ChatEvent;

/// <summary>
/// On the recipient's user route, for one connection only: the one the recipient is in the call
/// with (wire: "callSignal").
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallSignalled(Guid CallId, long FromUserId, string ToConnectionId, CallSignal Signal) : ChatEvent;
