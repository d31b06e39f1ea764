namespace GoChat.WebFront.Admin;

/// <summary>The WebFront's administrator events (ids 9020-9049; the grains' are 9000-9019).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 9020, EventName = "ConfiguredAdministratorUnknown", Level = LogLevel.Warning,
        Message = "GoChat:Admins names '{Username}', but no live, enabled account of a person has that name; it becomes an administrator at the first start after there is one")]
    public static partial void ConfiguredAdministratorUnknown(ILogger logger, string username);

    [LoggerMessage(EventId = 9021, EventName = "ConfiguredAdministratorsFailed", Level = LogLevel.Warning,
        Message = "Making the accounts of GoChat:Admins administrators failed; trying again")]
    public static partial void ConfiguredAdministratorsFailed(ILogger logger, Exception exception);
}
