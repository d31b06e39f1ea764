using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Users;

/// <summary>Accounts' log events (ids 3000-3099). A burst of 3001 is password guessing.</summary>
internal static partial class AccountLog
{
    [LoggerMessage(EventId = 3001, EventName = "WrongPassword", Level = LogLevel.Information, Message = "Wrong password for user {UserId}")]
    public static partial void WrongPassword(ILogger logger, long userId);

    [LoggerMessage(EventId = 3002, EventName = "AccountClosed", Level = LogLevel.Information, Message = "Closed account {UserId}")]
    public static partial void AccountClosed(ILogger logger, long userId);

    [LoggerMessage(EventId = 3003, EventName = "SessionEnded", Level = LogLevel.Information, Message = "User {UserId} ended one of their sessions")]
    public static partial void SessionEnded(ILogger logger, long userId);

    [LoggerMessage(EventId = 3004, EventName = "PasswordChanged", Level = LogLevel.Information, Message = "User {UserId} changed their password; their other sessions ended")]
    public static partial void PasswordChanged(ILogger logger, long userId);

    [LoggerMessage(EventId = 3005, EventName = "AccountErasureFailed", Level = LogLevel.Warning, Message = "Finishing the deletion of account {UserId} failed part way (removing follow edges made meanwhile, or telling its direct conversations)")]
    public static partial void AccountErasureFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 3010, EventName = "CountersLoadFailed", Level = LogLevel.Error, Message = "Loading the counters of user {UserId} failed; deactivating so they are counted again")]
    public static partial void CountersLoadFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 3011, EventName = "CounterChangeUndelivered", Level = LogLevel.Warning, Message = "Could not deliver a counter change to user {UserId}; asking it to reload")]
    public static partial void CounterChangeUndelivered(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 3012, EventName = "CountersReloadFailed", Level = LogLevel.Error, Message = "User {UserId} could not reload its counters; its next activation will")]
    public static partial void CountersReloadFailed(ILogger logger, Exception exception, long userId);
}
