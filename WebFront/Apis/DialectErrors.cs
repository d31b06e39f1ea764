using GoChat.Grains;
using Microsoft.AspNetCore.Diagnostics;

namespace GoChat.WebFront.Apis;

/// <summary>The three API dialects, as a request's path says which one it speaks.</summary>
internal enum ApiDialect
{
    Native,
    Douyin,
    Ginchat,
}

/// <summary>
/// Errors no handler wrote, in the dialect of the path: a path no route matches (404), a method the
/// route does not take (405), a body type it does not read (415), a request refused before any
/// handler ran, and a failure the exception handler caught. Natively a problem with a detail; on
/// the douyin and ginchat paths their envelope, which is what their clients read: with the HTTP
/// status for a route that is not there (404, 405), in an HTTP 200 as their routes answer for a
/// failure. The douyin play and cover URLs are fetched by video players, not the app: natively.
/// </summary>
internal static class DialectErrors
{
    /// <summary>The first path segments of the ginchat routes (its pages, /index and /toChat, are the web client's).</summary>
    static readonly string[] GinchatPaths = ["/user", "/contact", "/searchFriends", "/searchGroups"];

    public static ApiDialect Of(PathString path) =>
        path.StartsWithSegments("/douyin") && !path.StartsWithSegments(DouyinVideoApi.BytesPath) ? ApiDialect.Douyin
        : GinchatPaths.Any(p => path.StartsWithSegments(p)) ? ApiDialect.Ginchat
        : ApiDialect.Native;

    public static IApplicationBuilder UseDialectStatusPages(this IApplicationBuilder app) =>
        app.UseStatusCodePages(context => WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, Describe(context.HttpContext), keepStatus: true));

    /// <summary>
    /// Writes an error with <paramref name="status"/> and <paramref name="detail"/> in the path's dialect:
    /// natively with that HTTP status, in the legacy dialects in an HTTP 200 unless <paramref name="keepStatus"/>.
    /// </summary>
    public static async Task WriteAsync(HttpContext http, int status, string detail, bool keepStatus = false)
    {
        var dialect = Of(http.Request.Path);
        if (dialect == ApiDialect.Native)
        {
            http.Response.StatusCode = status;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = status, Detail = detail },
            });
            return;
        }
        http.Response.StatusCode = keepStatus ? status : StatusCodes.Status200OK;
        var answer = dialect == ApiDialect.Douyin
            ? DouyinDialect.Fail(status switch
            {
                StatusCodes.Status401Unauthorized => DouyinDialect.StatusCode(ErrorKind.Unauthenticated),
                StatusCodes.Status403Forbidden => DouyinDialect.StatusCode(ErrorKind.Forbidden),
                StatusCodes.Status404NotFound => DouyinDialect.StatusCode(ErrorKind.NotFound),
                StatusCodes.Status429TooManyRequests => DouyinDialect.StatusCode(ErrorKind.RateLimited),
                _ => status,
            }, detail)
            : http.Request.Path.StartsWithSegments(GinchatApi.AddFriendPath) ? GinchatApi.AddFriendReply(-1, detail) : GinchatDialect.Fail(detail);
        await answer.ExecuteAsync(http);
    }

    static string Describe(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound when http.GetEndpoint() is null => "no route matches this path and method (the routes are at /api-reference)",
        StatusCodes.Status404NotFound => "not found",
        StatusCodes.Status405MethodNotAllowed => http.Response.Headers.Allow is { Count: > 0 } allow
            ? $"this route does not take {http.Request.Method}; it takes {allow}"
            : $"this route does not take {http.Request.Method}",
        StatusCodes.Status415UnsupportedMediaType => "send the request body as JSON (Content-Type: application/json)",
        StatusCodes.Status413PayloadTooLarge => http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max
            ? $"the request body is too large: this route accepts at most {max} bytes"
            : "the request body is too large",
        StatusCodes.Status401Unauthorized => "a token is required",
        StatusCodes.Status403Forbidden => "you may not do this",
        var status when status >= 500 => "the server could not complete this request",
        var status => $"the request could not be served (HTTP {status})",
    };
}
