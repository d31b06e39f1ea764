using GoChat.Grains.Chat;

namespace GoChat.WebFront.Realtime;

/// <summary>Delivery's log events (ids 2000-2099), so an operator can alert on an id.</summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 2001, EventName = "DeliverySendFailed", Level = LogLevel.Warning, Message = "Sending a {Event} event to hub connections failed")]
    public static partial void SendFailed(ILogger logger, Exception? exception, string @event);

    [LoggerMessage(EventId = 2002, EventName = "DeliveryReceiveFailed", Level = LogLevel.Warning, Message = "Delivering a {Event} event of route {Route} failed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string @event, RouteKey route);

    [LoggerMessage(EventId = 2003, EventName = "RouteDetachFailed", Level = LogLevel.Warning, Message = "Detaching from route {Route} failed")]
    public static partial void DetachFailed(ILogger logger, Exception exception, RouteKey route);

    [LoggerMessage(EventId = 2004, EventName = "RouteReattachFailed", Level = LogLevel.Warning, Message = "Attaching again to route {Route} failed")]
    public static partial void ReattachFailed(ILogger logger, Exception exception, RouteKey route);

    [LoggerMessage(EventId = 2005, EventName = "RouteForgotSubscriber", Level = LogLevel.Information, Message = "Route {Route} had forgotten this WebFront; telling its connections to resync")]
    public static partial void RouteForgotUs(ILogger logger, RouteKey route);

    [LoggerMessage(EventId = 2006, EventName = "PresenceReportFailed", Level = LogLevel.Warning, Message = "Reporting the presence of user {UserId} again failed")]
    public static partial void PresenceReportFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(EventId = 2007, EventName = "RoutesRenewed", Level = LogLevel.Debug, Message = "Attached {Count} delivery routes again")]
    public static partial void Renewed(ILogger logger, int count);

    [LoggerMessage(EventId = 2008, EventName = "RouteRenewFailed", Level = LogLevel.Warning, Message = "Attaching delivery routes again failed")]
    public static partial void RenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2009, EventName = "SessionRevokedClose", Level = LogLevel.Information, Message = "Closing a connection of user {UserId}: its token was revoked")]
    public static partial void ClosingRevokedSession(ILogger logger, long userId);
}
