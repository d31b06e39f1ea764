namespace GoChat.WebFront.Accounts;

/// <summary>The WebFront's account log events (ids 3050-3099; the account grains use 3000-3049).</summary>
internal static partial class SignInLog
{
    [LoggerMessage(EventId = 3050, EventName = "SigningKeyLoadFailed", Level = LogLevel.Warning, Message = "Loading the token signing key failed; sign-in waits for the next attempt")]
    public static partial void SigningKeyLoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3051, EventName = "MediaErasureDeferred", Level = LogLevel.Warning,
        Message = "Account {UserId} is deleted, but erasing its uploads failed; the next start erases them")]
    public static partial void MediaErasureDeferred(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 3052, EventName = "ClosedAccountMediaErased", Level = LogLevel.Information,
        Message = "Erased the uploads left by {Count} deleted accounts")]
    public static partial void ClosedAccountMediaErased(ILogger logger, int count);

    [LoggerMessage(EventId = 3053, EventName = "ClosedAccountMediaFailed", Level = LogLevel.Warning,
        Message = "Erasing the uploads left by deleted accounts failed; the next start tries again")]
    public static partial void ClosedAccountMediaFailed(ILogger logger, Exception exception);
}
