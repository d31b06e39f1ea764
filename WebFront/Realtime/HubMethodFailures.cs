using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// A hub method that failed for a reason nobody foresaw is logged here, once, as the error it is,
/// and the client is told in words. SignalR's own dispatcher log is silenced (WebFrontApp): it logs
/// every HubException, which is how a hub method says no ("not a member", "call over"), as an
/// error with its stack trace, so any client could flood the log with refusals.
/// </summary>
internal sealed class HubMethodFailures(ILogger<HubMethodFailures> logger) : IHubFilter
{
    /// <summary>The log category SignalR reports failed hub methods under.</summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            HubLog.MethodFailed(logger, e, context.HubMethodName);
            throw new HubException("the server could not complete this request");
        }
    }
}

/// <summary>The hub's own log events (ids 9100-9149).</summary>
internal static partial class HubLog
{
    [LoggerMessage(EventId = 9100, EventName = "HubMethodFailed", Level = LogLevel.Error, Message = "Hub method {HubMethod} failed")]
    public static partial void MethodFailed(ILogger logger, Exception exception, string hubMethod);
}
