namespace GoChat.WebFront.Operations;

/// <summary>
/// The WebFront's operational log events (ids 6000-6099): answers of "try again" (a dependency was
/// away: alert on a rate of 6001-6004), requests that failed (6005, 6006: always a bug), start-up.
/// </summary>
internal static partial class OperationsLog
{
    [LoggerMessage(EventId = 6001, EventName = "RequestTryAgain", Level = LogLevel.Warning, Message = "{Dialect} request {Path} answered 'try again': {Words}")]
    public static partial void RequestTryAgain(ILogger logger, Exception exception, string dialect, string path, string words);

    [LoggerMessage(EventId = 6002, EventName = "HubMethodTryAgain", Level = LogLevel.Warning, Message = "Hub method {Method} answered 'try again': {Words}")]
    public static partial void HubMethodTryAgain(ILogger logger, Exception exception, string method, string words);

    [LoggerMessage(EventId = 6003, EventName = "HubConnectTryAgain", Level = LogLevel.Warning, Message = "A hub connection could not start; answered 'try again': {Words}")]
    public static partial void HubConnectTryAgain(ILogger logger, Exception exception, string words);

    [LoggerMessage(EventId = 6004, EventName = "SocketFrameTryAgain", Level = LogLevel.Warning, Message = "A ginchat frame of user {UserId} met the database or a silo away")]
    public static partial void SocketFrameTryAgain(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 6005, EventName = "RequestFailed", Level = LogLevel.Error, Message = "{Dialect} request {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string dialect, string path);

    [LoggerMessage(EventId = 6006, EventName = "SocketFrameFailed", Level = LogLevel.Error, Message = "A ginchat frame of user {UserId} could not be sent")]
    public static partial void SocketFrameFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 6010, EventName = "Ready", Level = LogLevel.Information, Message = "GoChat is ready at {Urls} (API reference: /api-reference)")]
    public static partial void Ready(ILogger logger, string urls);

    [LoggerMessage(EventId = 6011, EventName = "AbandonedUploadsDeleted", Level = LogLevel.Information, Message = "Deleted {Count} abandoned uploads from {MediaDir}")]
    public static partial void AbandonedUploadsDeleted(ILogger logger, int count, string mediaDir);

    [LoggerMessage(EventId = 6020, EventName = "DemoDataPresent", Level = LogLevel.Information, Message = "Demo data is already there: users {Users}, password {Password}")]
    public static partial void DemoDataPresent(ILogger logger, string users, string password);

    [LoggerMessage(EventId = 6021, EventName = "DemoDataCreated", Level = LogLevel.Warning, Message = "Demo data created. Sign in as {Users} with the password {Password}")]
    public static partial void DemoDataCreated(ILogger logger, string users, string password);

    [LoggerMessage(EventId = 6022, EventName = "DemoDataSkipped", Level = LogLevel.Warning, Message = "Demo data skipped: registering {Name} failed: {Reason}")]
    public static partial void DemoDataSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 6023, EventName = "DemoVideoSkipped", Level = LogLevel.Warning, Message = "The demo video was not published: {Reason}")]
    public static partial void DemoVideoSkipped(ILogger logger, string reason);
}
