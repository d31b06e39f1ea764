using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Users;

/// <summary>
/// Administrators' log events (ids 9000-9019; the WebFront's start-up uses 9020-9049). Each action
/// is also an audit row; these say it to the operator's log, with ids, never a password.
/// </summary>
internal static partial class AdministrationLog
{
    [LoggerMessage(EventId = 9001, EventName = "FirstAccountMadeAdministrator", Level = LogLevel.Warning,
        Message = "No GoChat:Admins configured: the first account of this server, user {UserId} ({Username}), is now its administrator")]
    public static partial void FirstAccountMadeAdministrator(ILogger logger, long userId, string username);

    [LoggerMessage(EventId = 9002, EventName = "ConfiguredAdministrator", Level = LogLevel.Information,
        Message = "GoChat:Admins made user {UserId} ({Username}) an administrator")]
    public static partial void ConfiguredAdministrator(ILogger logger, long userId, string username);

    [LoggerMessage(EventId = 9003, EventName = "AdministratorGranted", Level = LogLevel.Information, Message = "Administrator {AdminId} made user {UserId} an administrator")]
    public static partial void AdministratorGranted(ILogger logger, long adminId, long userId);

    [LoggerMessage(EventId = 9004, EventName = "AdministratorRevoked", Level = LogLevel.Information, Message = "Administrator {AdminId} revoked the administrator role of user {UserId}")]
    public static partial void AdministratorRevoked(ILogger logger, long adminId, long userId);

    [LoggerMessage(EventId = 9005, EventName = "AccountDisabled", Level = LogLevel.Information, Message = "Administrator {AdminId} disabled user {UserId}; their sessions ended")]
    public static partial void AccountDisabled(ILogger logger, long adminId, long userId);

    [LoggerMessage(EventId = 9006, EventName = "AccountEnabled", Level = LogLevel.Information, Message = "Administrator {AdminId} enabled user {UserId}")]
    public static partial void AccountEnabled(ILogger logger, long adminId, long userId);

    [LoggerMessage(EventId = 9007, EventName = "PasswordReset", Level = LogLevel.Information, Message = "Administrator {AdminId} reset the password of user {UserId}; their sessions ended")]
    public static partial void PasswordReset(ILogger logger, long adminId, long userId);
}
