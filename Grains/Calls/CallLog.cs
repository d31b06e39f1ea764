using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Calls;

/// <summary>Calls' log events in the grains (ids 7000-7049), so an operator can alert on an id. Never signals or SDP.</summary>
internal static partial class CallLog
{
    [LoggerMessage(EventId = 7001, EventName = "CallStarted", Level = LogLevel.Information, Message = "Call {CallId} ({Media}) started by user {CallerId} in {ConversationId}, ringing {Ringing}")]
    public static partial void Started(ILogger logger, Guid callId, string media, long callerId, string conversationId, int ringing);

    [LoggerMessage(EventId = 7002, EventName = "CallAccepted", Level = LogLevel.Debug, Message = "Call {CallId}: user {UserId} joined")]
    public static partial void Joined(ILogger logger, Guid callId, long userId);

    [LoggerMessage(EventId = 7003, EventName = "CallEnded", Level = LogLevel.Information, Message = "Call {CallId} ended: {Outcome} after {DurationSeconds} s answered")]
    public static partial void Ended(ILogger logger, Guid callId, string outcome, int durationSeconds);

    [LoggerMessage(EventId = 7004, EventName = "CallParticipantReconnecting", Level = LogLevel.Information, Message = "Call {CallId}: user {UserId} lost their connection; keeping their place for {Grace}")]
    public static partial void Reconnecting(ILogger logger, Guid callId, long userId, TimeSpan grace);

    [LoggerMessage(EventId = 7005, EventName = "CallParticipantLost", Level = LogLevel.Information, Message = "Call {CallId}: user {UserId} did not come back within the reconnect grace")]
    public static partial void Lost(ILogger logger, Guid callId, long userId);

    [LoggerMessage(EventId = 7006, EventName = "CallMessageCloseFailed", Level = LogLevel.Warning, Message = "Call {CallId}: recording the outcome on the call message failed")]
    public static partial void CloseFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 7008, EventName = "CallMessagePostFailed", Level = LogLevel.Warning, Message = "Call {CallId}: posting the call message failed; the call goes on without one")]
    public static partial void PostFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 7007, EventName = "CallEndedByShutdown", Level = LogLevel.Warning, Message = "Call {CallId} ended as failed: its grain is being deactivated while the call was live")]
    public static partial void EndedByShutdown(ILogger logger, Guid callId);
}
