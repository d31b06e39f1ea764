using Microsoft.Extensions.FileProviders;

namespace GoChat.WebFront;

/// <summary>
/// Serves the web client (WebFront/ClientApp, built into wwwroot): its hashed assets as static
/// files, and index.html for exactly the client's page routes. There is no catch-all fallback, so
/// an unknown /api/..., /douyin/..., /user/... or media route still gets its own 404.
/// </summary>
internal static class WebClient
{
    /// <summary>The ginchat page routes (/, /index, /toRegister, /toChat) and the client's own /videos and /admin.</summary>
    public static readonly string[] Pages = ["/", "/index", "/toRegister", "/toChat", "/videos", "/admin"];

    /// <summary>Hashed file names never change content, so browsers may keep them.</summary>
    const string ImmutableAsset = "public, max-age=31536000, immutable";

    /// <summary>
    /// User text is rendered as text; this policy is the second line: only our own scripts run,
    /// and no page may frame the client.
    /// </summary>
    const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data: http: https:; " +
        "media-src 'self' blob: http: https:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The build copies wwwroot beside the assembly (also into projects referencing WebFront, such as
    /// the tests), so the client is found wherever the app runs from; null falls back to the content root's.
    /// </summary>
    public static string? ClientRoot()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return File.Exists(Path.Combine(beside, "index.html")) ? beside : null;
    }

    public static void UseWebClientFiles(this WebApplication app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = c =>
            {
                if (c.Context.Request.Path.StartsWithSegments("/assets"))
                    c.Context.Response.Headers.CacheControl = ImmutableAsset;
            },
        });

    public static void MapWebClient(this WebApplication app)
    {
        var index = app.Environment.WebRootFileProvider.GetFileInfo("index.html");
        foreach (var page in Pages)
            app.MapGet(page, (HttpContext http) => Page(http, index)).ExcludeFromDescription();
    }

    static IResult Page(HttpContext http, IFileInfo index)
    {
        if (!index.Exists || index.PhysicalPath is null)
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                detail: "the web client is not built: build WebFront (dotnet build runs npm in WebFront/ClientApp), then restart");
        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy; // nosniff, no framing, no referrer: Operations.SecurityHeaders
        return Results.File(index.PhysicalPath, "text/html; charset=utf-8");
    }
}
