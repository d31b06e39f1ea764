using Dapper;
using GoChat.Grains.Storage;
using Npgsql;

namespace GoChat.Grains.Videos;

/// <summary>Where a page of a user's liked videos starts: after the like given at <see cref="At"/> on <see cref="VideoId"/>.</summary>
public readonly record struct FavoriteCursor(DateTime At, long VideoId);

/// <summary>The favorites and comments tables (reads and the writes that need a result back).</summary>
public sealed class EngagementStore(NpgsqlDataSource db)
{
    public async Task<VideoCounters> Count(long videoId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var (favorites, comments) = await connection.QuerySingleAsync<(long, long)>("""
            SELECT (SELECT count(*) FROM favorites WHERE video_id = @videoId), (SELECT count(*) FROM comments WHERE video_id = @videoId)
            """, new { videoId });
        return new VideoCounters(favorites, comments);
    }

    public async Task<HashSet<long>> FavoritedAmong(long userId, IEnumerable<long> videoIds)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("SELECT video_id FROM favorites WHERE user_id = @userId AND video_id = ANY(@ids)",
            new { userId, ids = videoIds.Distinct().ToArray() })).ToHashSet();
    }

    /// <summary>One page of the videos a user liked, most recent like first: a keyset walk down (created_at, video_id).</summary>
    public async Task<ListPage<long, FavoriteCursor>> FavoritesOf(long userId, FavoriteCursor? after, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var resume = after is null ? "" : "AND (created_at, video_id) < (@afterAt, @afterId)";
        var rows = (await connection.QueryAsync<(long VideoId, DateTime At)>($"""
            SELECT video_id, created_at FROM favorites WHERE user_id = @userId {resume}
            ORDER BY created_at DESC, video_id DESC LIMIT @limit
            """, new { userId, afterAt = after?.At, afterId = after?.VideoId, limit })).ToList();
        return ListPage.Of(rows, limit, r => r.VideoId, r => new FavoriteCursor(r.At, r.VideoId));
    }

    /// <summary>A fresh comment id, so the comment can be written in a batch and still be answered with its id.</summary>
    public async Task<long> NextCommentId()
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT nextval(pg_get_serial_sequence('comments', 'id'))");
    }

    public async Task<VideoComment?> GetComment(long commentId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<VideoComment>(
            "SELECT id, video_id, user_id, content, created_at FROM comments WHERE id = @commentId", new { commentId });
    }


    /// <summary>One page of a video's comments, newest first: a keyset walk down the comment id (the cursor is the last id seen).</summary>
    public async Task<ListPage<VideoComment, long>> Comments(long videoId, long? beforeId, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<VideoComment>("""
            SELECT id, video_id, user_id, content, created_at FROM comments
            WHERE video_id = @videoId AND id < @beforeId ORDER BY id DESC LIMIT @limit
            """, new { videoId, beforeId = beforeId ?? long.MaxValue, limit })).ToList();
        return ListPage.Of(rows, limit, c => c, c => c.Id);
    }
}
