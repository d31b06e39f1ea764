using GoChat.Grains.Storage;
using GoChat.WebFront.Accounts;
using Microsoft.AspNetCore.SignalR;
using Npgsql;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace GoChat.WebFront.Operations;

/// <summary>
/// Failures that a retry may not meet, answered "try again" by every API in its own dialect
/// (503 + Retry-After natively, a failure envelope on the douyin and ginchat routes, a HubException
/// on the hub) and logged as warnings rather than errors: PostgreSQL refused or dropped a connection
/// (a restart, a failover, a session ended by an administrator), here or in a grain on another silo;
/// a silo died or could not be reached during a grain call; this node could not load its token
/// signing key yet.
/// </summary>
internal static class DatabaseOutage
{
    public const string Message = "the database is not reachable just now; try again";
    public const string NodeMessage = "a server of the cluster is not reachable just now; try again";
    public const string SignInMessage = "sign-in is not available on this server just now; try again";

    /// <summary>What to tell the client if the request may succeed when tried again, else null.</summary>
    public static string? TryAgainFor(Exception? e) =>
        DatabaseAway.Caused(e) ? Message
        : NodeAway(e) ? NodeMessage
        : Has<SigningKeyUnavailableException>(e) ? SignInMessage
        : null;

    /// <summary>
    /// <see cref="TryAgainFor"/>, and if the database was away empties the connection pool (the
    /// database ended its idle connections too).
    /// </summary>
    public static string? TryAgain(Exception? e, IServiceProvider services) =>
        DatabaseAway.Noticed(e, services.GetRequiredService<NpgsqlDataSource>()) ? Message : TryAgainFor(e);

    /// <summary>True if the request failed for a reason a retry may not meet (the connection pool is emptied if it was the database).</summary>
    public static bool Noticed(Exception? e, IServiceProvider services) => TryAgain(e, services) is not null;

    /// <summary>
    /// A grain call could not reach the silo holding the grain (it died or is leaving), or got no
    /// answer in time: the grain is placed again, elsewhere, once the cluster notices.
    /// </summary>
    static bool NodeAway(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException or TimeoutException)
                return true;
        return false;
    }

    static bool Has<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T) return true;
        return false;
    }

    /// <summary>
    /// An endpoint filter for routes that must always answer in their dialect: an exception becomes
    /// <paramref name="fail"/>'s envelope (HTTP 200) for the status it stands for: 400 for a request
    /// that could not be read, 503 ("try again") when a retry may succeed, else 500.
    /// </summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> AnswerIn(string dialect, Func<int, string, IResult> fail) =>
        async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (BadHttpRequestException e)
            {
                return fail(e.StatusCode, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var http = context.HttpContext;
                var log = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("GoChat.WebFront." + dialect);
                if (TryAgain(e, http.RequestServices) is { } words)
                {
                    OperationsLog.RequestTryAgain(log, e, dialect, http.Request.Path, words);
                    http.Response.Headers.RetryAfter = "1";
                    return fail(StatusCodes.Status503ServiceUnavailable, words);
                }
                OperationsLog.RequestFailed(log, e, dialect, http.Request.Path);
                return fail(StatusCodes.Status500InternalServerError, "the server could not complete this request");
            }
        };
}

/// <summary>
/// The hub's side of <see cref="DatabaseOutage"/>: a hub method, or a connection's start, that met
/// a failure a retry may not meet fails with a HubException saying to try again (the client shows
/// it), instead of SignalR's generic error.
/// </summary>
internal sealed class DatabaseOutageHubFilter(ILogger<DatabaseOutageHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (DatabaseOutage.TryAgain(e, context.ServiceProvider) is { } words)
        {
            OperationsLog.HubMethodTryAgain(logger, e, context.HubMethodName, words);
            throw new HubException(words);
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (DatabaseOutage.TryAgain(e, context.ServiceProvider) is { } words)
        {
            OperationsLog.HubConnectTryAgain(logger, e, words);
            throw new HubException(words);
        }
    }
}
