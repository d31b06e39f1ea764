namespace GoChat.WebFront.Realtime;

/// <summary>
/// Keeps long-lived connections from holding up a shutdown. Once the host is stopping, SignalR
/// closes its connections, but a client that reconnects at once (the web client's first retry is
/// immediate) could still open a new one over a kept-alive HTTP connection, and that connection
/// would hold the shutdown until the client's own timeout. So a stopping WebFront answers new
/// real-time connections (the hub's negotiate and connect, any WebSocket) with 503 and Retry-After,
/// and the client retries elsewhere or after the restart. Plain requests are still served while
/// Kestrel drains: they end on their own.
/// </summary>
internal static class ShuttingDown
{
    public static IApplicationBuilder UseShutdownRefusals(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use((http, next) =>
        {
            if (!stopping.IsCancellationRequested || !IsRealTime(http.Request)) return next(http);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "1";
            http.Response.Headers.Connection = "close";
            return http.Response.WriteAsync("the server is shutting down; connect again");
        });
    }

    static bool IsRealTime(HttpRequest request) =>
        request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase) ||
        // (the WebSocket middleware that sets IsWebSocketRequest runs later, so the request is read as it came)
        request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase) ||
        HttpMethods.IsConnect(request.Method);
}
