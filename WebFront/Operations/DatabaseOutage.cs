using GoChat.Grains.Storage;
using Npgsql;

namespace GoChat.WebFront.Operations;

/// <summary>
/// PostgreSQL refused or dropped a connection (a restart, a failover, a session ended by an
/// administrator). The request may be retried, so every API answers it as "try again" in its own
/// dialect (503 + Retry-After natively, a failure envelope on the douyin and ginchat routes) and
/// logs a warning rather than an error.
/// </summary>
public static class DatabaseOutage
{
    public const string Message = "the database is not reachable just now; try again";

    /// <summary>True if the request failed because the database was away (the connection pool is then emptied).</summary>
    public static bool Noticed(Exception? e, IServiceProvider services) =>
        DatabaseAway.Noticed(e, services.GetRequiredService<NpgsqlDataSource>());

    /// <summary>
    /// An endpoint filter for routes that must always answer in their dialect: an exception becomes
    /// <paramref name="fail"/>'s envelope (HTTP 200) for the status it stands for: 400 for a request
    /// that could not be read, 503 ("try again") when the database was away, else 500.
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
                if (Noticed(e, http.RequestServices))
                {
                    log.LogWarning(e, "{Dialect} request {Path} met the database away", dialect, http.Request.Path);
                    http.Response.Headers.RetryAfter = "1";
                    return fail(StatusCodes.Status503ServiceUnavailable, Message);
                }
                log.LogError(e, "{Dialect} request {Path} failed", dialect, http.Request.Path);
                return fail(StatusCodes.Status500InternalServerError, "the server could not complete this request");
            }
        };
}

/// <summary>
/// The hub's side of <see cref="DatabaseOutage"/>: a hub method that met the database away fails with
/// a HubException saying to try again (the client shows it), instead of SignalR's generic error.
/// </summary>
public sealed class DatabaseOutageHubFilter(ILogger<DatabaseOutageHubFilter> logger) : Microsoft.AspNetCore.SignalR.IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(Microsoft.AspNetCore.SignalR.HubInvocationContext context,
        Func<Microsoft.AspNetCore.SignalR.HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (DatabaseOutage.Noticed(e, context.ServiceProvider))
        {
            logger.LogWarning(e, "Hub method {Method} met the database away", context.HubMethodName);
            throw new Microsoft.AspNetCore.SignalR.HubException(DatabaseOutage.Message);
        }
    }
}
