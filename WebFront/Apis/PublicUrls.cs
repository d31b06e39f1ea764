using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Apis;

/// <summary>Absolute URLs for stored paths, from GoChat:PublicBaseUrl or else the request's own scheme and host.</summary>
internal static class PublicUrls
{
    public static string Absolute(HttpRequest request, string pathOrUrl)
    {
        if (string.IsNullOrEmpty(pathOrUrl)
            || Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return pathOrUrl;
        var configured = request.HttpContext.RequestServices.GetRequiredService<IOptions<WebFrontOptions>>().Value.PublicBaseUrl;
        var baseUrl = string.IsNullOrEmpty(configured) ? $"{request.Scheme}://{request.Host}{request.PathBase}" : configured.TrimEnd('/');
        return baseUrl + (pathOrUrl.StartsWith('/') ? pathOrUrl : "/" + pathOrUrl);
    }
}
