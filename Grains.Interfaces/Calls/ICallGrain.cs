using Orleans.Concurrency;

namespace GoChat.Grains.Calls;

/// <summary>What starting a call needs: where, who calls on which connection, with what, and whom to ring.</summary>
[GenerateSerializer, Immutable]
public sealed record CallStart(string ConversationId, long CallerId, CallConnection Connection, string Media, IReadOnlyList<long> Invitees);

/// <summary>
/// One call. Key: the call id. Owns the call's state machine (ringing, accepted, ended and why), its
/// timers (ring timeout, reconnect grace) and who may signal whom. Requests answer the call as it
/// stands afterwards, or a refusal (<see cref="CallRefusals"/>).
/// </summary>
public interface ICallGrain : IGrainWithGuidKey
{
    /// <summary>Starts ringing (called once, by the conversation's <see cref="IConversationCallsGrain"/>).</summary>
    Task<Result<CallView>> Start(CallStart start);

    /// <summary>
    /// Joins the call on a connection: answers it, joins a group call that runs, or brings a
    /// participant back on a new connection (same device, or any device during the reconnect grace).
    /// </summary>
    Task<Result<CallView>> Accept(long userId, CallConnection connection);

    /// <summary>A callee declines; declining on one device declines for all of them.</summary>
    Task<Result<CallView>> Decline(long userId);

    /// <summary>Hangs up (or cancels, for a caller nobody has answered yet).</summary>
    Task<Result<CallView>> Leave(long userId);

    /// <summary>Relays a signal from a participant's connection in the call to another participant's.</summary>
    Task<DomainError?> Relay(long fromUserId, string fromConnectionId, long toUserId, CallSignal signal);

    /// <summary>A hub connection closed: if it was a participant's connection in the call, the reconnect grace starts.</summary>
    Task ConnectionClosed(long userId, string connectionId);

    /// <summary>The call, or null when this id is no call this cluster knows.</summary>
    [AlwaysInterleave]
    Task<CallView?> Get();

    /// <summary>Whether the user is in the call now (joined or reconnecting). Answers while the grain is busy.</summary>
    [AlwaysInterleave]
    Task<bool> Holds(long userId);
}

/// <summary>
/// The calls of one conversation. Key: the conversation id. At most one live call per conversation:
/// starting a call while one runs (or rings) joins it, so two people calling each other at once
/// get one call.
/// </summary>
public interface IConversationCallsGrain : IGrainWithStringKey
{
    Task<Result<CallView>> Start(long userId, CallConnection connection, string media);

    /// <summary>The call ended (told by the call grain, without waiting).</summary>
    [OneWay]
    Task Ended(Guid callId);

    /// <summary>
    /// A call message still says its call rings or runs: if no grain knows that call any more (it
    /// was lost with its silo), the message is closed as failed. Without waiting.
    /// </summary>
    [OneWay]
    Task CloseIfLost(long seq, Guid callId, string media);
}

/// <summary>
/// One person's calls. Key: the user id. The call they are in (at most one: "busy" otherwise) and
/// the calls ringing them.
/// </summary>
public interface IUserCallsGrain : IGrainWithIntegerKey
{
    /// <summary>Enters a call; answers the other call the user is in instead (and enters nothing) when there is one.</summary>
    Task<Guid?> Enter(Guid callId);

    /// <summary>Leaves a call (nothing if the user is in another one).</summary>
    Task Leave(Guid callId);

    /// <summary>Starts ringing for a call; false when the user is in another call (busy).</summary>
    Task<bool> Ring(Guid callId);

    Task StopRinging(Guid callId);

    /// <summary>The call the user is in, if any.</summary>
    [AlwaysInterleave]
    Task<Guid?> Current();
}

/// <summary>
/// The call messages of a conversation (implemented by the conversation grain, which assigns every
/// seq): one message of kind "call" per call, posted when it starts and updated in place when it ends.
/// </summary>
public interface IConversationCallLog : IGrainWithStringKey
{
    /// <summary>Posts the call's message from the caller; posting the same call twice returns the first.</summary>
    Task<Result<Chat.ChatMessage>> PostCall(long callerId, CallSummary call);

    /// <summary>Records how the call ended on its message and tells the members (messageUpdated).</summary>
    Task CloseCall(long seq, CallSummary call);
}
