using GoChat.Grains;
using GoChat.Grains.Media;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Media;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace GoChat.WebFront.Apis;

/// <summary>An uploaded piece of media; <c>url</c> is the server-relative path of its content.</summary>
public sealed record MediaDto(long Id, string Url, string ContentType, long Size, string Name)
{
    public static MediaDto From(MediaInfo m) => new(m.Id, NativeApiMedia.ContentPath(m.Id), m.ContentType, m.Size, m.Name);
}

/// <summary>
/// Native /api/v1 routes for media: upload (multipart, streamed straight to the media directory
/// while the size is counted) and the content itself, with ranges and long caching (content never
/// changes). Reads are authenticated like every native route; browsers that cannot send a header
/// (an &lt;img src&gt;) pass the token as ?access_token=.
/// </summary>
internal static class NativeApiMedia
{
    /// <summary>Room for the multipart framing and small extra fields on top of the largest file.</summary>
    const long MultipartOverhead = 1024 * 1024;

    /// <summary>Content never changes under an id, so clients may keep it; "private": it is not for shared caches.</summary>
    const string ImmutableContent = "private, max-age=31536000, immutable";

    public static string ContentPath(long id) => $"/api/v1/media/{id}/content";

    public static IEndpointRouteBuilder MapNativeMediaApi(this IEndpointRouteBuilder routes)
    {
        var media = routes.MapGroup("/api/v1/media").WithTags("Media").RequireAuthorization();
        media.MapPost("/", Upload)
            .AddOpenApiOperationTransformer(DescribeUploadBody)
            .Produces<MediaDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        media.MapGet("/{id:long}", GetMedia);
        media.MapGet("/{id:long}/content", GetContent);
        return routes;
    }

    static async Task<IResult> Upload(HttpContext http, MediaLibrary library, CancellationToken ct)
    {
        // Kestrel's default body limit (30 MB) is below the video limit: this route allows the largest
        // kind; the limit of the kind the bytes turn out to be is enforced while the file streams in.
        var largest = library.Limits.Largest;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = largest + MultipartOverhead;
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
            return NativeProblems.BadRequest("send the file as multipart/form-data, in a field named 'file'");

        var reader = new MultipartReader(boundary, http.Request.Body);
        try
        {
            for (var section = await reader.ReadNextSectionAsync(ct); section is not null; section = await reader.ReadNextSectionAsync(ct))
            {
                var disposition = section.GetContentDispositionHeader();
                if (disposition is null || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value != "file")
                    continue;
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                var uploaded = await library.Upload(http.User.UserId(), section.Body, section.ContentType, fileName, ct);
                return uploaded.Value is { } media
                    ? Results.Created($"/api/v1/media/{media.Id}", MediaDto.From(media))
                    : uploaded.Error!.ToProblem();
            }
            return NativeProblems.BadRequest("the multipart body has no field named 'file'");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new DomainError(ErrorKind.TooLarge,
                $"the upload is larger than the largest file accepted ({MediaLimits.Describe(largest)})").ToProblem();
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !ct.IsCancellationRequested)
        {
            // The request itself was unreadable (malformed multipart, a body cut short); the media
            // directory's own failures arrive as MediaStorageException and are the server's fault.
            return Results.Problem(detail: $"the upload could not be read: {e.Message}",
                statusCode: e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest);
        }
    }

    static async Task<IResult> GetMedia(long id, MediaLibrary library, HttpContext http, CancellationToken ct)
    {
        var found = await library.Find(http.User.UserId(), id, ct);
        return found.Value is { } media ? Results.Ok(MediaDto.From(media)) : found.Error!.ToProblem();
    }

    static async Task<IResult> GetContent(long id, MediaLibrary library, HttpContext http, CancellationToken ct)
    {
        var opened = await library.OpenForRead(http.User.UserId(), id, ct);
        if (opened.Value is not { } stored) return opened.Error!.ToProblem();
        var media = stored.Info;
        http.Response.Headers.CacheControl = ImmutableContent;
        MediaHeaders.Apply(http.Response, media.Kind, media.Name);
        return new RangeRefusalAsProblem(Results.File(stored.Path, media.ContentType,
            // Generic files are never rendered by the browser, only downloaded.
            fileDownloadName: media.Kind == MediaKind.File ? DownloadName(media) : null,
            lastModified: new DateTimeOffset(DateTime.SpecifyKind(media.CreatedAt, DateTimeKind.Utc)),
            entityTag: new EntityTagHeaderValue($"\"{media.Sha256}\""),
            enableRangeProcessing: true), media.Size);
    }

    /// <summary>
    /// The file result decides whether a Range can be served; when it cannot, it answers 416 with an
    /// empty body typed as the media. Errors of the native API are problem JSON, so that 416 gets
    /// one, keeping the file result's Content-Range (bytes */size).
    /// </summary>
    sealed class RangeRefusalAsProblem(IResult file, long size) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            await file.ExecuteAsync(http);
            if (http.Response.StatusCode != StatusCodes.Status416RangeNotSatisfiable || http.Response.HasStarted) return;
            // The headers that describe the media's bytes do not describe this answer.
            http.Response.ContentType = null;
            http.Response.ContentLength = null;
            http.Response.Headers.Remove(HeaderNames.ContentDisposition);
            http.Response.Headers.Remove(HeaderNames.ETag);
            http.Response.Headers.Remove(HeaderNames.LastModified);
            http.Response.Headers.CacheControl = "no-store";
            await Results.Problem(statusCode: StatusCodes.Status416RangeNotSatisfiable,
                detail: $"the requested range is not within the {size} bytes of this media").ExecuteAsync(http);
        }
    }

    /// <summary>
    /// The upload body is read by hand (streamed, not buffered as a form), so the OpenAPI document
    /// is told its shape here; declaring it with Accepts() would turn other bodies into 415s instead of 400s.
    /// </summary>
    static Task DescribeUploadBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }

    static string DownloadName(MediaInfo media) => media.Name is { Length: > 0 } name ? name : $"file-{media.Id}";
}
