using Dapper;
using GoChat.Grains.Users;
using Npgsql;

namespace GoChat.Grains.Social;

/// <summary>The follows table: one row per follow edge; friends are users who follow each other.</summary>
public sealed class FollowStore(NpgsqlDataSource db)
{
    /// <summary>Creates both edges between two users; false when they were already friends.</summary>
    public async Task<bool> AddMutual(long a, long b)
    {
        await using var connection = await db.OpenConnectionAsync();
        var inserted = await connection.ExecuteAsync("""
            INSERT INTO follows (follower_id, followee_id) VALUES (@a, @b), (@b, @a)
            ON CONFLICT DO NOTHING
            """, new { a, b });
        return inserted > 0;
    }

    /// <summary>How many live users a user follows, and how many follow them.</summary>
    public async Task<(long Following, long Followers)> Counts(long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long)>("""
            SELECT (SELECT count(*) FROM follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = @userId AND u.deleted_at IS NULL),
                   (SELECT count(*) FROM follows f JOIN users u ON u.id = f.follower_id WHERE f.followee_id = @userId AND u.deleted_at IS NULL)
            """, new { userId });
    }

    /// <summary>Live users a user follows (or, with <paramref name="followers"/>, who follow them), newest edge first.</summary>
    public async Task<IReadOnlyList<UserProfile>> Edges(long userId, bool followers, int limit = 5000)
    {
        await using var connection = await db.OpenConnectionAsync();
        var (mine, theirs) = followers ? ("followee_id", "follower_id") : ("follower_id", "followee_id");
        var rows = await connection.QueryAsync<UserRow>($"""
            SELECT {UserDirectory.Columns} FROM users
            JOIN (SELECT {theirs} AS edge_user, created_at AS followed_at FROM follows WHERE {mine} = @userId) f ON f.edge_user = users.id
            WHERE deleted_at IS NULL
            ORDER BY f.followed_at DESC LIMIT @limit
            """, new { userId, limit });
        return rows.Select(r => r.ToProfile()).ToList();
    }

    /// <summary>Which of the given users the viewer follows.</summary>
    public async Task<HashSet<long>> FollowedAmong(long viewer, IEnumerable<long> userIds)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>(
            "SELECT followee_id FROM follows WHERE follower_id = @viewer AND followee_id = ANY(@ids)",
            new { viewer, ids = userIds.Distinct().ToArray() })).ToHashSet();
    }

    public async Task RemoveMutual(long a, long b)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            DELETE FROM follows WHERE (follower_id = @a AND followee_id = @b) OR (follower_id = @b AND followee_id = @a)
            """, new { a, b });
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
