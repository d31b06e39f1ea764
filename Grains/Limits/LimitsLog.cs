using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Limits;

/// <summary>Abuse limits met (9050-9069). Information: a burst of them is someone worth a look, one is not.</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(EventId = 9050, EventName = "MessagesThrottled", Level = LogLevel.Information,
        Message = "User {UserId} sends messages faster than allowed; refused for {Wait}")]
    public static partial void MessagesThrottled(ILogger logger, long userId, TimeSpan wait);

    [LoggerMessage(EventId = 9051, EventName = "AllowanceRefused", Level = LogLevel.Information,
        Message = "User {UserId} reached the limit on {What}; the next is possible in {Wait}")]
    public static partial void Refused(ILogger logger, long userId, string what, TimeSpan wait);

    [LoggerMessage(EventId = 9052, EventName = "HubConnectionRefused", Level = LogLevel.Information,
        Message = "User {UserId} already holds {Limit} hub connections; another was refused")]
    public static partial void ConnectionRefused(ILogger logger, long userId, int limit);

    [LoggerMessage(EventId = 9053, EventName = "UploadSettleFailed", Level = LogLevel.Warning,
        Message = "Could not give back the unused upload allowance of user {UserId}; it stays spent")]
    public static partial void UploadSettleFailed(ILogger logger, Exception exception, long userId);
}
