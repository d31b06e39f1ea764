using GoChat.Grains.Storage;
using GoChat.Grains.Users;
using Orleans.Concurrency;

namespace GoChat.Grains.Videos;

/// <summary>
/// One video's likes and comments. Key: the video id. State: the two counters (counted from the
/// tables on activation), kept in memory and answered from there. A like changes the counter at
/// once and is answered after its group-committed write lands; likes of one user on this video are
/// applied one at a time so the counter never counts a like twice. Reentrant, so likes by many
/// users share commits.
/// </summary>
[Reentrant]
public sealed class VideoGrain(VideoStore videos, EngagementStore engagement, GroupCommitter committer, IGrainFactory grains) : Grain, IVideoGrain
{
    public const int MaxCommentLength = 1000;

    VideoRow? _video;
    long _favorites;
    long _comments;
    readonly Dictionary<long, Task> _userInFlight = [];

    long VideoId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _video = await videos.Get(VideoId);
        if (_video is null) return;
        (_favorites, _comments) = await engagement.Count(VideoId);
    }

    public Task<VideoCounters?> GetCounters() => Task.FromResult(_video is null ? null : new VideoCounters(_favorites, _comments));

    public Task<DomainError?> Favorite(long userId) => OneAtATimeFor(userId, async () =>
    {
        if (await engagement.IsFavorite(userId, VideoId)) return null;
        _favorites++;
        try
        {
            await committer.Write("INSERT INTO favorites (user_id, video_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", userId, VideoId);
        }
        catch
        {
            _favorites--;
            throw;
        }
        return null;
    });

    public Task<DomainError?> Unfavorite(long userId) => OneAtATimeFor(userId, async () =>
    {
        if (!await engagement.IsFavorite(userId, VideoId)) return null;
        _favorites--;
        try
        {
            await committer.Write("DELETE FROM favorites WHERE user_id = $1 AND video_id = $2", userId, VideoId);
        }
        catch
        {
            _favorites++;
            throw;
        }
        return null;
    });

    public async Task<Result<VideoComment>> Comment(long userId, string? text)
    {
        if (_video is null) return DomainError.NotFound($"no video {VideoId}");
        text = text?.Trim() ?? "";
        if (text.Length == 0) return DomainError.Invalid("comment_text is required");
        if (text.Length > MaxCommentLength) return DomainError.Invalid($"comments are at most {MaxCommentLength} characters");
        if (await grains.GetGrain<IUserGrain>(userId).GetProfile() is null) return DomainError.NotFound("unknown user");
        var comment = new VideoComment(await engagement.NextCommentId(), VideoId, userId, text, DateTime.UtcNow);
        _comments++;
        try
        {
            await committer.Write("INSERT INTO comments (id, video_id, user_id, content, created_at) VALUES ($1, $2, $3, $4, $5)",
                comment.Id, comment.VideoId, comment.UserId, comment.Content, comment.CreatedAt);
        }
        catch
        {
            _comments--;
            throw;
        }
        return Result<VideoComment>.Success(comment);
    }

    public async Task<DomainError?> DeleteComment(long callerId, long commentId)
    {
        if (_video is null) return DomainError.NotFound($"no video {VideoId}");
        if (await engagement.GetComment(commentId) is not { } comment || comment.VideoId != VideoId)
            return DomainError.NotFound($"no comment {commentId} on video {VideoId}");
        if (comment.UserId != callerId && _video.AuthorId != callerId)
            return DomainError.Forbidden("only the comment's author or the video's author may delete it");
        _comments--;
        try
        {
            await committer.Write("DELETE FROM comments WHERE id = $1", commentId);
        }
        catch
        {
            _comments++;
            throw;
        }
        return null;
    }

    /// <summary>Runs an action for one user after any earlier action of the same user on this video has finished.</summary>
    async Task<DomainError?> OneAtATimeFor(long userId, Func<Task<DomainError?>> action)
    {
        if (_video is null) return DomainError.NotFound($"no video {VideoId}");
        if (await grains.GetGrain<IUserGrain>(userId).GetProfile() is null) return DomainError.NotFound("unknown user");
        while (_userInFlight.TryGetValue(userId, out var earlier)) await earlier;
        var done = new TaskCompletionSource();
        _userInFlight[userId] = done.Task;
        try
        {
            return await action();
        }
        finally
        {
            _userInFlight.Remove(userId);
            done.SetResult();
        }
    }
}
