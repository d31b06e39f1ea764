using System.Globalization;
using GoChat.Grains;
using GoChat.Grains.Storage;
using GoChat.Grains.Videos;
using GoChat.WebFront.Accounts;
using static GoChat.WebFront.Apis.LegacyParameter;

namespace GoChat.WebFront.Apis;

internal sealed record DouyinComment(long Id, DouyinUser User, string Content, string CreateDate);

/// <summary>Douyin likes and comments: thin adapters over the video grains.</summary>
internal static class DouyinEngagementApi
{
    const int MaxListed = DouyinRelationApi.MaxListed;
    const int PageSize = DouyinRelationApi.ListPageSize;

    public static RouteGroupBuilder MapDouyinEngagementRoutes(this RouteGroupBuilder douyin)
    {
        douyin.MapPost("/favorite/action/", FavoriteAction).Reads(Token, Integer("video_id"), Choice("action_type", "1", "2"));
        douyin.MapGet("/favorite/list/", FavoriteList).Reads(Token, Integer("user_id"));
        douyin.MapPost("/comment/action/", CommentAction)
            .Reads(Token, Integer("video_id"), Choice("action_type", "1", "2"), Text("comment_text").When("action_type", "1"), Integer("comment_id").When("action_type", "2"));
        douyin.MapGet("/comment/list/", CommentList).Reads(Token, Integer("video_id"));
        return douyin;
    }

    static async Task<IResult> FavoriteAction(HttpRequest request, TokenService tokens, IGrainFactory grains)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: true);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        if (!p.TryGetRequiredLong("video_id", out var videoId, out var idError)) return DouyinDialect.Fail(idError!);
        var video = grains.GetGrain<IVideoGrain>(videoId);
        var error = p["action_type"] switch
        {
            "1" => await video.Favorite(caller.Value!.Value),
            "2" => await video.Unfavorite(caller.Value!.Value),
            _ => DomainError.Invalid("action_type must be 1 (like) or 2 (unlike)"),
        };
        return error is null ? DouyinDialect.Ok() : DouyinDialect.Fail(error);
    }

    static async Task<IResult> FavoriteList(HttpRequest request, TokenService tokens, EngagementStore engagement, VideoStore videos,
        DouyinVideos render, IGrainFactory grains)
    {
        var (_, viewer, subject, refusal) = await DouyinDialect.SubjectAsync(request, tokens, grains);
        if (refusal is not null) return refusal;
        var ids = await ListPage.Walk<long, FavoriteCursor>((after, limit) => engagement.FavoritesOf(subject, after, limit), PageSize, MaxListed);
        var rows = await videos.GetMany(ids);
        return DouyinDialect.Ok(new Dictionary<string, object?> { ["video_list"] = await render.Render(rows, viewer, request) });
    }

    static async Task<IResult> CommentAction(HttpRequest request, TokenService tokens, IGrainFactory grains, DouyinUsers users)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: true);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        var me = caller.Value!.Value;
        if (!p.TryGetRequiredLong("video_id", out var videoId, out var idError)) return DouyinDialect.Fail(idError!);
        var video = grains.GetGrain<IVideoGrain>(videoId);
        switch (p["action_type"])
        {
            case "1":
                var posted = await video.Comment(me, p["comment_text"]);
                if (posted.Value is not { } comment) return DouyinDialect.Fail(posted.Error!);
                if (await users.Render(me, me, request) is not { } author) return DouyinDialect.Fail(DomainError.NotFound("unknown user"));
                return DouyinDialect.Ok(new Dictionary<string, object?> { ["comment"] = Render(comment, author) });
            case "2":
                if (!p.TryGetRequiredLong("comment_id", out var commentId, out var commentError)) return DouyinDialect.Fail(commentError!);
                return await video.DeleteComment(me, commentId) is { } error ? DouyinDialect.Fail(error) : DouyinDialect.Ok();
            default:
                return DouyinDialect.Fail("action_type must be 1 (post) or 2 (delete)");
        }
    }

    static async Task<IResult> CommentList(HttpRequest request, TokenService tokens, IGrainFactory grains, EngagementStore engagement, DouyinUsers users)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: false);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        if (!p.TryGetRequiredLong("video_id", out var videoId, out var idError)) return DouyinDialect.Fail(idError!);
        if (await grains.GetGrain<IVideoGrain>(videoId).GetCounters() is null) return DouyinDialect.Fail(DomainError.NotFound($"no video {videoId}"));
        var comments = await ListPage.Walk<VideoComment, long>((before, limit) => engagement.Comments(videoId, before, limit), PageSize, MaxListed);
        var authors = await users.RenderAuthors(comments.Select(c => c.UserId), caller.Value, request);
        var list = comments.Where(c => authors.ContainsKey(c.UserId)).Select(c => Render(c, authors[c.UserId])).ToList();
        return DouyinDialect.Ok(new Dictionary<string, object?> { ["comment_list"] = list });
    }

    static DouyinComment Render(VideoComment comment, DouyinUser author) =>
        new(comment.Id, author, comment.Content, comment.CreatedAt.ToString("MM-dd", CultureInfo.InvariantCulture));
}
