using GoChat.Grains.Media;
using Microsoft.Net.Http.Headers;

namespace GoChat.WebFront.Media;

/// <summary>
/// How uploaded bytes are served so that none can run as a page of GoChat's origin. Only images,
/// audio and video whose bytes were recognised keep their type (shown inline); everything else,
/// SVG and HTML included, is stored as a generic file and served as application/octet-stream and
/// as an attachment (MediaFormats). On top of that: nosniff (every response), and a policy that
/// sandboxes the response should a browser render it as a document anyway (no script, no forms,
/// its own opaque origin).
/// </summary>
internal static class MediaHeaders
{
    public const string Policy = "sandbox; frame-ancestors 'none'";

    /// <summary>For media shown in place (images, audio, video); generic files get "attachment" from the file result.</summary>
    public static void Apply(HttpResponse response, MediaKind kind, string? name)
    {
        response.Headers.ContentSecurityPolicy = Policy;
        if (kind == MediaKind.File) return;
        var inline = new ContentDispositionHeaderValue("inline");
        if (!string.IsNullOrEmpty(name)) inline.SetHttpFileName(name);
        response.Headers.ContentDisposition = inline.ToString();
    }
}
