namespace GoChat.WebFront.Calls;

/// <summary>Calls' log events in the WebFront (ids 7050-7099). Never the TURN secret, credentials or signals.</summary>
internal static partial class CallsLog
{
    [LoggerMessage(EventId = 7051, EventName = "TurnCredentialIssued", Level = LogLevel.Debug, Message = "Issued a TURN credential to user {UserId}")]
    public static partial void TurnCredentialIssued(ILogger logger, long userId);

    [LoggerMessage(EventId = 7052, EventName = "CallConnectionClosedNotTold", Level = LogLevel.Warning, Message = "Telling call {CallId} that a connection of user {UserId} closed failed; the call keeps the user until they hang up or the call ends")]
    public static partial void ConnectionClosedNotTold(ILogger logger, Exception exception, Guid callId, long userId);

    [LoggerMessage(EventId = 7053, EventName = "LiveCallLookupFailed", Level = LogLevel.Warning, Message = "Looking up live call {CallId} failed; it is left out of the conversation list")]
    public static partial void LiveCallLookupFailed(ILogger logger, Exception exception, Guid callId);
}
