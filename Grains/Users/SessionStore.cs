using Dapper;
using Npgsql;

namespace GoChat.Grains.Users;

/// <summary>The sessions table: one row per signed-in session, written by the user grain that owns it.</summary>
public sealed class SessionStore(NpgsqlDataSource db)
{
    /// <summary>The user's sessions that have not expired; expired ones are deleted on the way.</summary>
    public async Task<IReadOnlyList<SessionInfo>> Load(long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM sessions WHERE user_id = @userId AND expires_at <= now()", new { userId });
        var rows = await connection.QueryAsync<SessionInfo>("""
            SELECT id, created_at AS createdat, last_seen_at AS lastseenat, expires_at AS expiresat, user_agent AS useragent, address
            FROM sessions WHERE user_id = @userId
            """, new { userId });
        return rows.ToList();
    }

    public async Task Insert(long userId, SessionInfo session)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, address)
            VALUES (@Id, @userId, @CreatedAt, @LastSeenAt, @ExpiresAt, @UserAgent, @Address)
            """, new { userId, session.Id, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.UserAgent, session.Address });
    }

    public async Task Touch(Guid id, DateTime lastSeenAt)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE sessions SET last_seen_at = @lastSeenAt WHERE id = @id", new { id, lastSeenAt });
    }

    public async Task Delete(long userId, Guid id)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM sessions WHERE user_id = @userId AND id = @id", new { userId, id });
    }

    /// <summary>Deletes every session of the user but <paramref name="except"/>.</summary>
    public async Task DeleteAll(long userId, Guid? except = null)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM sessions WHERE user_id = @userId AND id IS DISTINCT FROM @except", new { userId, except });
    }
}
