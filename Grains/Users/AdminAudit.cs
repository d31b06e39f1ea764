using Dapper;
using Npgsql;

namespace GoChat.Grains.Users;

/// <summary>What an administrator did (the audit's action names, as the API shows them).</summary>
public static class AuditActions
{
    public const string Disable = "disable";
    public const string Enable = "enable";
    public const string ResetPassword = "reset-password";
    public const string GrantAdmin = "grant-admin";
    public const string RevokeAdmin = "revoke-admin";
}

/// <summary>One action to record; <c>ActorId</c> null is the server itself (GoChat:Admins, the first account).</summary>
public sealed record AuditEntry(long? ActorId, string Action, long TargetId, string Detail = "");

/// <summary>A recorded action with the names of who did it and to whom.</summary>
public sealed record AuditRecord(long Id, DateTime At, long? ActorId, string? ActorName, string Action, long TargetId, string TargetName, string Detail);

/// <summary>
/// The audit of administrators' actions (table admin_audit). Rows are written only inside the
/// transaction of the change they record (by the grain making it), so the audit never claims a
/// change that was rolled back nor misses one that was committed; read newest first, by id.
/// </summary>
public sealed class AdminAudit(NpgsqlDataSource db)
{
    public static Task Record(NpgsqlConnection connection, NpgsqlTransaction tx, AuditEntry entry) =>
        connection.ExecuteAsync(
            "INSERT INTO admin_audit (actor_id, action, target_id, detail) VALUES (@ActorId, @Action, @TargetId, @Detail)", entry, tx);

    /// <summary>Up to <paramref name="limit"/> actions older than the action <paramref name="before"/> (the newest when null), newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> Page(long? before, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<AuditRecord>("""
            SELECT a.id, a.at, a.actor_id AS actorid, actor.username AS actorname, a.action,
                   a.target_id AS targetid, target.username AS targetname, a.detail
            FROM admin_audit a
            LEFT JOIN users actor ON actor.id = a.actor_id
            JOIN users target ON target.id = a.target_id
            WHERE @before IS NULL OR a.id < @before
            ORDER BY a.id DESC
            LIMIT @limit
            """, new { before, limit });
        return rows.ToList();
    }
}
