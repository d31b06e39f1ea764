using Dapper;
using Npgsql;

namespace GoChat.Grains.Videos;

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

    public async Task<bool> IsFavorite(long userId, long videoId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM favorites WHERE user_id = @userId AND video_id = @videoId)", new { userId, videoId });
    }

    public async Task<HashSet<long>> FavoritedAmong(long userId, IEnumerable<long> videoIds)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("SELECT video_id FROM favorites WHERE user_id = @userId AND video_id = ANY(@ids)",
            new { userId, ids = videoIds.Distinct().ToArray() })).ToHashSet();
    }

    /// <summary>Likes a user gave, and likes the user's videos received.</summary>
    public async Task<(long Given, long Received)> UserCounts(long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long)>("""
            SELECT (SELECT count(*) FROM favorites WHERE user_id = @userId),
                   (SELECT count(*) FROM favorites f JOIN videos v ON v.id = f.video_id WHERE v.author_id = @userId)
            """, new { userId });
    }

    /// <summary>Videos a user liked, most recent like first.</summary>
    public async Task<IReadOnlyList<long>> FavoritesOf(long userId, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>(
            "SELECT video_id FROM favorites WHERE user_id = @userId ORDER BY created_at DESC LIMIT @limit", new { userId, limit })).ToList();
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


    /// <summary>A video's comments, newest first.</summary>
    public async Task<IReadOnlyList<VideoComment>> Comments(long videoId, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<VideoComment>("""
            SELECT id, video_id, user_id, content, created_at FROM comments WHERE video_id = @videoId ORDER BY id DESC LIMIT @limit
            """, new { videoId, limit })).ToList();
    }
}
