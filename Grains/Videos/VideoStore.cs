using Dapper;
using GoChat.Grains.Storage;
using Npgsql;

namespace GoChat.Grains.Videos;

/// <summary>A published video: who, what, and the media rows holding the video and its cover.</summary>
public sealed record VideoRow(long Id, long AuthorId, string Title, long VideoMediaId, long CoverMediaId, long PublishedMs);

/// <summary>The videos table. The feed is a keyset walk down published_ms (unique), never OFFSET.</summary>
public sealed class VideoStore(NpgsqlDataSource db)
{
    const string Columns = "id, author_id, title, video_media_id, cover_media_id, published_ms";

    /// <summary>Records a video, published now (or 1 ms after the newest video, so times stay unique).</summary>
    public async Task<VideoRow> Insert(long authorId, string title, long videoMediaId, long coverMediaId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync();
                return await connection.QuerySingleAsync<VideoRow>($"""
                    INSERT INTO videos (author_id, title, video_media_id, cover_media_id, published_ms)
                    VALUES (@authorId, @title, @videoMediaId, @coverMediaId,
                            greatest((extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                                     (SELECT coalesce(max(published_ms), 0) + 1 FROM videos)))
                    RETURNING {Columns}
                    """, new { authorId, title, videoMediaId, coverMediaId });
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 5)
            {
                // two publishes took the same millisecond; take the next one
            }
        }
    }

    /// <summary>Up to <paramref name="limit"/> videos published before <paramref name="beforeMs"/>, newest first.</summary>
    public async Task<IReadOnlyList<VideoRow>> Feed(long beforeMs, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<VideoRow>(
            $"SELECT {Columns} FROM videos WHERE published_ms < @beforeMs ORDER BY published_ms DESC LIMIT @limit",
            new { beforeMs, limit })).ToList();
    }

    /// <summary>One page of an author's videos, newest first: a keyset walk down published_ms (the cursor is the last one seen).</summary>
    public async Task<ListPage<VideoRow, long>> ByAuthor(long authorId, long? beforeMs, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<VideoRow>(
            $"SELECT {Columns} FROM videos WHERE author_id = @authorId AND published_ms < @beforeMs ORDER BY published_ms DESC LIMIT @limit",
            new { authorId, beforeMs = beforeMs ?? long.MaxValue, limit })).ToList();
        return ListPage.Of(rows, limit, v => v, v => v.PublishedMs);
    }

    /// <summary>The videos with these ids that exist, in the order of the ids.</summary>
    public async Task<IReadOnlyList<VideoRow>> GetMany(IReadOnlyList<long> ids)
    {
        await using var connection = await db.OpenConnectionAsync();
        var found = (await connection.QueryAsync<VideoRow>($"SELECT {Columns} FROM videos WHERE id = ANY(@ids)", new { ids = ids.ToArray() }))
            .ToDictionary(v => v.Id);
        return ids.Where(found.ContainsKey).Select(id => found[id]).ToList();
    }

    public async Task<VideoRow?> Get(long id)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<VideoRow>($"SELECT {Columns} FROM videos WHERE id = @id", new { id });
    }
}
