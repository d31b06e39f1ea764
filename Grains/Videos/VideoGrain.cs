using GoChat.Grains.Storage;
using GoChat.Grains.Users;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GoChat.Grains.Videos;

/// <summary>
/// One video's likes and comments. Key: the video id. State: the two counters, counted from the
/// tables on activation and then moved by this grain's own committed writes (it is the only
/// writer of its video's rows), answered from memory. Every write is group-committed and answered
/// after its batch commits; a counter moves only when the commit reports a changed row, so liking
/// twice counts once and unliking what was not liked is a no-op, whatever the interleaving. A like
/// also moves the liker's favorites given and the author's total received, in their user grains
/// (<see cref="CounterDelivery"/>). Reentrant, so likes by many users share commits.
/// </summary>
[Reentrant]
internal sealed class VideoGrain(VideoStore videos, EngagementStore engagement, GroupCommitter committer, IGrainFactory grains, ILogger<VideoGrain> logger)
    : Grain, IVideoGrain
{
    public const int MaxCommentLength = 1000;

    VideoRow? _video;
    long _favorites;
    long _comments;
    Guid? _authorEpoch;

    long VideoId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _video = await videos.Get(VideoId);
        if (_video is null) return;
        (_favorites, _comments) = await engagement.Count(VideoId);
    }

    public Task<VideoCounters?> GetCounters() => Task.FromResult(_video is null ? null : new VideoCounters(_favorites, _comments));

    public Task<DomainError?> Favorite(long userId) =>
        ChangeFavorite(userId, "INSERT INTO favorites (user_id, video_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", +1);

    public Task<DomainError?> Unfavorite(long userId) =>
        ChangeFavorite(userId, "DELETE FROM favorites WHERE user_id = $1 AND video_id = $2", -1);

    async Task<DomainError?> ChangeFavorite(long userId, string sql, int sign)
    {
        if (_video is null) return DomainError.NotFound($"no video {VideoId}");
        // Epochs are read before the commit, so the user grains can tell whether they already counted it.
        if (await grains.GetGrain<IUserGrain>(userId).GetCounterEpoch() is not { } likerEpoch) return DomainError.NotFound("unknown user");
        var authorEpoch = await AuthorEpoch();
        if (await committer.Write(sql, userId, VideoId) == 0) return null;
        _favorites += sign;
        var delivered = await Task.WhenAll(
            CounterDelivery.Deliver(grains, userId, new CounterChange(FavoritesGiven: sign), likerEpoch, logger),
            CounterDelivery.Deliver(grains, _video.AuthorId, new CounterChange(FavoritedReceived: sign), authorEpoch, logger));
        _authorEpoch = delivered[1];
        return null;
    }

    /// <summary>The author's counter epoch, remembered between likes (any epoch seen before a commit will do); null when the author is gone.</summary>
    async Task<Guid?> AuthorEpoch()
    {
        if (_authorEpoch is null && _video is not null)
        {
            try
            {
                _authorEpoch = await grains.GetGrain<IUserGrain>(_video.AuthorId).GetCounterEpoch();
            }
            catch (Exception e)
            {
                VideoLog.AuthorUnreachable(logger, e, _video.AuthorId, VideoId);
                return null;
            }
        }
        return _authorEpoch;
    }

    public async Task<Result<VideoComment>> Comment(long userId, string? text)
    {
        if (_video is null) return DomainError.NotFound($"no video {VideoId}");
        text = text?.Trim() ?? "";
        if (text.Length == 0) return DomainError.Invalid("comment_text is required");
        if (text.Length > MaxCommentLength) return DomainError.Invalid($"comments are at most {MaxCommentLength} characters");
        if (FreeText.CheckText("comment_text", text) is { } textError) return textError;
        if (await grains.GetGrain<IUserGrain>(userId).GetProfile() is null) return DomainError.NotFound("unknown user");
        var comment = new VideoComment(await engagement.NextCommentId(), VideoId, userId, text, DateTime.UtcNow);
        await committer.Write("INSERT INTO comments (id, video_id, user_id, content, created_at) VALUES ($1, $2, $3, $4, $5)",
            comment.Id, comment.VideoId, comment.UserId, comment.Content, comment.CreatedAt);
        _comments++;
        return Result<VideoComment>.Success(comment);
    }

    public async Task<DomainError?> DeleteComment(long callerId, long commentId)
    {
        if (_video is null) return DomainError.NotFound($"no video {VideoId}");
        if (await engagement.GetComment(commentId) is not { } comment || comment.VideoId != VideoId)
            return DomainError.NotFound($"no comment {commentId} on video {VideoId}");
        if (comment.UserId != callerId && _video.AuthorId != callerId)
            return DomainError.Forbidden("only the comment's author or the video's author may delete it");
        // Two deletes of one comment may race: only the one that removed the row counts.
        _comments -= await committer.Write("DELETE FROM comments WHERE id = $1 AND video_id = $2", commentId, VideoId);
        return null;
    }
}
