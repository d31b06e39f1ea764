namespace GoChat.WebFront.Accounts;

/// <summary>The WebFront's account log events (ids 3050-3099; the account grains use 3000-3049).</summary>
internal static partial class SignInLog
{
    [LoggerMessage(EventId = 3050, EventName = "SigningKeyLoadFailed", Level = LogLevel.Warning, Message = "Loading the token signing key failed; sign-in waits for the next attempt")]
    public static partial void SigningKeyLoadFailed(ILogger logger, Exception exception);
}
