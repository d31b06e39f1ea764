using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoChat.Grains.Users;

/// <summary>
/// Who administers the server. Key: 0. State: none of its own: users.is_admin is the truth, and this
/// grain is its only writer (each change with its audit row, in one transaction), telling the
/// account's user grain after each change; in memory only whether the first-account rule is
/// settled. Not reentrant, so changes are decided one at a time: the last administrator (counting
/// enabled, live accounts) is never revoked, and of accounts registered at once on an empty server
/// exactly one becomes the administrator.
/// </summary>
internal sealed class AdministratorsGrain(
    NpgsqlDataSource db, UserDirectory directory, IGrainFactory grains, IOptions<AdministratorsOptions> options, ILogger<AdministratorsGrain> logger)
    : Grain, IAdministratorsGrain
{
    const string FirstAccount = "the first account of this server";
    const string Configured = "GoChat:Admins";

    bool _firstAccountSettled;

    public async Task<bool> AccountRegistered(long userId)
    {
        if (_firstAccountSettled) return false;
        if (options.Value.Admins.Count > 0)
        {
            _firstAccountSettled = true;
            return false;
        }
        await using var connection = await db.OpenConnectionAsync();
        var (anyAdmin, first) = await connection.QuerySingleAsync<(bool, long?)>("""
            SELECT EXISTS (SELECT 1 FROM users WHERE is_admin), (SELECT min(id) FROM users WHERE NOT is_bot)
            """);
        if (anyAdmin)
        {
            _firstAccountSettled = true;
            return false;
        }
        // Not the lowest id: a lower one registered at the same moment asks next and becomes it,
        // or this server had accounts before administrators existed (then GoChat:Admins names one).
        if (first != userId) return false;
        await Set(actorId: null, userId, isAdmin: true, FirstAccount);
        _firstAccountSettled = true;
        AdministrationLog.FirstAccountMadeAdministrator(logger, userId, (await directory.Get(userId))?.Username ?? "");
        return true;
    }

    public async Task<IReadOnlyList<string>> ApplyConfigured(IReadOnlyList<string> usernames)
    {
        var unknown = new List<string>();
        foreach (var name in usernames)
        {
            // A disabled account stays out too: administrators are never disabled ones.
            if (await directory.FindIdByName(name) is not { } id || await directory.Get(id) is not { DeletedAt: null, IsBot: false, DisabledAt: null } row)
            {
                unknown.Add(name);
                continue;
            }
            if (await Set(actorId: null, id, isAdmin: true, Configured)) AdministrationLog.ConfiguredAdministrator(logger, id, row.Username);
        }
        return unknown;
    }

    public async Task<DomainError?> Grant(long adminId, long userId)
    {
        if (await RefuseUnlessAdministrator(adminId) is { } refused) return refused;
        if (await directory.Get(userId) is not { DeletedAt: null } target) return DomainError.NotFound($"no user {userId}");
        if (target.IsBot) return DomainError.Invalid("a bot cannot be an administrator");
        if (target.DisabledAt is not null) return DomainError.Conflict("a disabled account cannot be made an administrator: enable it first");
        if (await Set(adminId, userId, isAdmin: true)) AdministrationLog.AdministratorGranted(logger, adminId, userId);
        return null;
    }

    public async Task<DomainError?> Revoke(long adminId, long userId)
    {
        if (await RefuseUnlessAdministrator(adminId) is { } refused) return refused;
        if (await directory.Get(userId) is not { DeletedAt: null }) return DomainError.NotFound($"no user {userId}");
        if (await IsLastAdministrator(userId))
            return DomainError.Conflict("this is the last administrator: make another account an administrator first, so the server keeps one");
        if (await Set(adminId, userId, isAdmin: false)) AdministrationLog.AdministratorRevoked(logger, adminId, userId);
        return null;
    }

    public async Task<DomainError?> ReleaseForClosure(long userId)
    {
        if (await IsLastAdministrator(userId))
            return DomainError.Conflict("you are the last administrator: make another account an administrator before deleting yours");
        await Set(userId, userId, isAdmin: false, "the account was deleted");
        return null;
    }

    /// <summary>Whether this account is an administrator (enabled and live) and no other one is.</summary>
    async Task<bool> IsLastAdministrator(long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var admins = (await connection.QueryAsync<long>(
            "SELECT id FROM users WHERE is_admin AND disabled_at IS NULL AND deleted_at IS NULL LIMIT 2")).ToList();
        return admins is [var only] && only == userId;
    }

    /// <summary>Read from the table: this grain is the only writer of is_admin, so it is never stale here.</summary>
    async Task<DomainError?> RefuseUnlessAdministrator(long adminId) =>
        await directory.Get(adminId) is { IsAdmin: true, DisabledAt: null, DeletedAt: null }
            ? null
            : DomainError.Forbidden("only administrators may do this");

    /// <summary>Sets the flag with its audit row in one transaction, then tells the user grain; false when it was set so already.</summary>
    async Task<bool> Set(long? actorId, long userId, bool isAdmin, string detail = "")
    {
        await using (var connection = await db.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            var changed = await connection.ExecuteAsync(
                "UPDATE users SET is_admin = @isAdmin, updated_at = now() WHERE id = @userId AND is_admin <> @isAdmin", new { userId, isAdmin }, tx);
            if (changed == 0) return false;
            await AdminAudit.Record(connection, tx, new AuditEntry(actorId, isAdmin ? AuditActions.GrantAdmin : AuditActions.RevokeAdmin, userId, detail));
            await tx.CommitAsync();
        }
        await grains.GetGrain<IAccountAdministration>(userId).AdministratorChanged(isAdmin);
        return true;
    }
}
