using GoChat.Grains;
using GoChat.Grains.Media;
using GoChat.Grains.Storage;
using GoChat.Grains.Videos;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Media;
using GoChat.WebFront.Videos;
using Microsoft.AspNetCore.Http.Features;
using static GoChat.WebFront.Apis.LegacyParameter;

namespace GoChat.WebFront.Apis;

internal sealed record DouyinVideo(long Id, DouyinUser Author, string PlayUrl, string CoverUrl, long FavoriteCount, long CommentCount, bool IsFavorite, string Title);

/// <summary>Douyin videos: publish, the feed, an author's list, and the public play/cover URLs players fetch.</summary>
internal static class DouyinVideoApi
{
    const int FeedSize = 30;
    const long MultipartOverhead = 1024 * 1024;

    public static RouteGroupBuilder MapDouyinVideoRoutes(this RouteGroupBuilder douyin)
    {
        douyin.MapPost("/publish/action/", Publish).Reads(Token, File("data"), Text("title")).DisableAntiforgery();
        douyin.MapGet("/feed/", Feed).Reads(Token, Integer("latest_time"));
        douyin.MapGet("/publish/list/", PublishList).Reads(Token, Integer("user_id"));
        // Players fetch these without a token: published videos are public.
        douyin.MapGet("/videos/{id:long}/play", (HttpContext http, long id, VideoStore videos, MediaStore media, MediaFiles files) => Serve(http, id, videos, media, files, cover: false));
        douyin.MapGet("/videos/{id:long}/cover", (HttpContext http, long id, VideoStore videos, MediaStore media, MediaFiles files) => Serve(http, id, videos, media, files, cover: true));
        return douyin;
    }

    static async Task<IResult> Publish(HttpRequest request, TokenService tokens, VideoPublisher publisher)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = publisher.MaxBytes + MultipartOverhead;
        if (!request.HasFormContentType) return DouyinDialect.Fail("publish needs a multipart/form-data body with data, token and title");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return DouyinDialect.Fail(new DomainError(ErrorKind.TooLarge, $"the upload could not be read ({e.Message})"));
        }
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: true);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        if (form.Files.GetFile("data") is not { } data) return DouyinDialect.Fail("data (the video file) is required");
        if (data.Length > publisher.MaxBytes) return DouyinDialect.Fail(new DomainError(ErrorKind.TooLarge, "the video is too large"));
        await using var content = data.OpenReadStream();
        var published = await publisher.Publish(caller.Value!.Value, content, data.FileName, p["title"], request.HttpContext.RequestAborted);
        return published.Error is { } error ? DouyinDialect.Fail(error) : DouyinDialect.Ok();
    }

    static async Task<IResult> Feed(HttpRequest request, TokenService tokens, VideoStore videos, DouyinVideos render)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: false);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        if (!p.TryGetLong("latest_time", out var latest, out var timeError)) return DouyinDialect.Fail(timeError!);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // 0 or missing means now; a value below 1e11 is seconds.
        var before = latest is null or <= 0 ? now + 1 : latest < 100_000_000_000 ? latest.Value * 1000 : latest.Value;
        var page = await videos.Feed(before, FeedSize);
        return DouyinDialect.Ok(new Dictionary<string, object?>
        {
            ["video_list"] = await render.Render(page, caller.Value, request),
            ["next_time"] = page.Count > 0 ? page[^1].PublishedMs : now,
        });
    }

    static async Task<IResult> PublishList(HttpRequest request, TokenService tokens, VideoStore videos, DouyinVideos render, IGrainFactory grains)
    {
        var (_, viewer, author, refusal) = await DouyinDialect.SubjectAsync(request, tokens, grains);
        if (refusal is not null) return refusal;
        var list = await ListPage.Walk<VideoRow, long>((before, limit) => videos.ByAuthor(author, before, limit),
            DouyinRelationApi.ListPageSize, DouyinRelationApi.MaxListed);
        return DouyinDialect.Ok(new Dictionary<string, object?> { ["video_list"] = await render.Render(list, viewer, request) });
    }

    static async Task<IResult> Serve(HttpContext http, long id, VideoStore videos, MediaStore media, MediaFiles files, bool cover)
    {
        if (await videos.Get(id) is not { } video || await media.Get(cover ? video.CoverMediaId : video.VideoMediaId) is not { } info)
            return Results.NotFound();
        if (await files.Locate(info.Sha256, http.RequestAborted) is not { } path) return Results.NotFound();
        // A published video's bytes never change: players and proxies may keep them.
        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        MediaHeaders.Apply(http.Response, info.Kind, null);
        return Results.File(path, info.ContentType, enableRangeProcessing: true,
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{info.Sha256}\""));
    }

    /// <summary>Where the bytes players fetch live: errors there keep their HTTP status (DialectErrors).</summary>
    public const string BytesPath = "/douyin/videos";

    public static string PlayPath(long id) => $"{BytesPath}/{id}/play";
    public static string CoverPath(long id) => $"{BytesPath}/{id}/cover";
}

/// <summary>
/// Renders douyin video objects: each distinct author once from their user grain and each video's
/// counters from its video grain (all at once, answered from memory), is_favorite from one query.
/// </summary>
internal sealed class DouyinVideos(DouyinUsers users, EngagementStore engagement, IGrainFactory grains)
{
    public async Task<IReadOnlyList<DouyinVideo>> Render(IReadOnlyList<VideoRow> videos, long? viewer, HttpRequest request)
    {
        var counters = Task.WhenAll(videos.Select(v => grains.GetGrain<IVideoGrain>(v.Id).GetCounters()));
        var authors = users.RenderAuthors(videos.Select(v => v.AuthorId), viewer, request);
        var liked = viewer is { } v && videos.Count > 0 ? await engagement.FavoritedAmong(v, videos.Select(x => x.Id)) : [];
        var (videoCounters, authorsById) = (await counters, await authors);
        var result = new List<DouyinVideo>(videos.Count);
        for (var i = 0; i < videos.Count; i++)
        {
            var video = videos[i];
            if (!authorsById.TryGetValue(video.AuthorId, out var author)) continue;
            var count = videoCounters[i] ?? new VideoCounters(0, 0);
            result.Add(new DouyinVideo(video.Id, author, PublicUrls.Absolute(request, DouyinVideoApi.PlayPath(video.Id)),
                PublicUrls.Absolute(request, DouyinVideoApi.CoverPath(video.Id)), count.Favorites, count.Comments,
                liked.Contains(video.Id), video.Title));
        }
        return result;
    }
}
