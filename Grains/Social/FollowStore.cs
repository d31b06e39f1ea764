using Dapper;
using GoChat.Grains.Storage;
using GoChat.Grains.Users;
using Npgsql;

namespace GoChat.Grains.Social;

/// <summary>Where a page of a follow list starts: after the edge followed at <see cref="At"/> with the other user <see cref="UserId"/>.</summary>
public readonly record struct FollowCursor(DateTime At, long UserId);

/// <summary>The follows table: one row per follow edge; friends are users who follow each other.</summary>
public sealed class FollowStore(NpgsqlDataSource db)
{
    /// <summary>Creates both edges between two users; returns the follower of each edge that was new.</summary>
    public async Task<IReadOnlyList<long>> AddMutual(long a, long b)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("""
            INSERT INTO follows (follower_id, followee_id) VALUES (@a, @b), (@b, @a)
            ON CONFLICT DO NOTHING RETURNING follower_id
            """, new { a, b })).ToList();
    }

    /// <summary>
    /// One page of the live users a user follows (or, with <paramref name="followers"/>, who follow
    /// them), most recent edge first: a keyset walk down (created_at, other user id).
    /// </summary>
    public async Task<ListPage<long, FollowCursor>> Edges(long userId, bool followers, FollowCursor? after, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var (mine, theirs) = followers ? ("followee_id", "follower_id") : ("follower_id", "followee_id");
        var resume = after is null ? "" : $"AND (f.created_at, f.{theirs}) < (@afterAt, @afterId)";
        var rows = (await connection.QueryAsync<(long UserId, DateTime At)>($"""
            SELECT f.{theirs}, f.created_at FROM follows f JOIN users u ON u.id = f.{theirs}
            WHERE f.{mine} = @userId AND u.deleted_at IS NULL {resume}
            ORDER BY f.created_at DESC, f.{theirs} DESC LIMIT @limit
            """, new { userId, afterAt = after?.At, afterId = after?.UserId, limit })).ToList();
        return ListPage.Of(rows, limit, r => r.UserId, r => new FollowCursor(r.At, r.UserId));
    }

    /// <summary>Which of the given users the viewer follows.</summary>
    public async Task<HashSet<long>> FollowedAmong(long viewer, IEnumerable<long> userIds)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>(
            "SELECT followee_id FROM follows WHERE follower_id = @viewer AND followee_id = ANY(@ids)",
            new { viewer, ids = userIds.Distinct().ToArray() })).ToHashSet();
    }

    /// <summary>Removes both edges between two users; returns the follower of each edge that existed.</summary>
    public async Task<IReadOnlyList<long>> RemoveMutual(long a, long b)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("""
            DELETE FROM follows WHERE (follower_id = @a AND followee_id = @b) OR (follower_id = @b AND followee_id = @a)
            RETURNING follower_id
            """, new { a, b })).ToList();
    }

    /// <summary>Removes every edge to and from a user (a deleted account); returns the user at the other end of each.</summary>
    public async Task<IReadOnlyList<long>> RemoveAll(long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("""
            DELETE FROM follows WHERE follower_id = @userId OR followee_id = @userId
            RETURNING CASE WHEN follower_id = @userId THEN followee_id ELSE follower_id END
            """, new { userId })).Distinct().ToList();
    }

    public async Task<bool> AreFriends(long a, long b)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM follows WHERE (follower_id = @a AND followee_id = @b) OR (follower_id = @b AND followee_id = @a)
            """, new { a, b }) == 2;
    }

    /// <summary>A user's friends (mutual follows) that still have accounts, by name.</summary>
    public async Task<IReadOnlyList<UserProfile>> Friends(long userId, int limit = 5000)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<UserRow>($"""
            SELECT {UserDirectory.Columns} FROM users
            WHERE deleted_at IS NULL AND id IN (
                SELECT mine.followee_id FROM follows mine
                JOIN follows theirs ON theirs.follower_id = mine.followee_id AND theirs.followee_id = mine.follower_id
                WHERE mine.follower_id = @userId)
            ORDER BY lower(username) LIMIT @limit
            """, new { userId, limit });
        return rows.Select(r => r.ToProfile()).ToList();
    }
}
