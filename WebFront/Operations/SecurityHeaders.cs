using Microsoft.Net.Http.Headers;

namespace GoChat.WebFront.Operations;

/// <summary>
/// Headers every response carries, whatever answered it: browsers never guess a type other than
/// the one sent (nosniff), never tell another site which GoChat page linked to it, and never show
/// a GoChat answer inside another site's frame. A response that sets its own Content-Security-Policy
/// keeps it (the web client's page, media); any other gets one that forbids framing only, which the
/// pages GoChat serves but does not write (the API reference, the Orleans dashboard) still work under.
/// </summary>
internal static class SecurityHeaders
{
    public const string NoFraming = "frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy)) headers.ContentSecurityPolicy = NoFraming;
            return Task.CompletedTask;
        }, http.Response);
        return next(http);
    });
}
