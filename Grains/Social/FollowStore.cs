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
