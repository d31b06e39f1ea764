using System.Security.Cryptography;

namespace GoChat.Grains.Users;

/// <summary>The user grain's second role: what an administrator does to the account (<see cref="IAccountAdministration"/>).</summary>
internal sealed partial class UserGrain
{
    /// <summary>No look-alike characters (0/o, 1/l/i): an administrator may have to read it out.</summary>
    const string OneTimePasswordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    const int OneTimePasswordLength = 16;

    public async Task<Result<UserProfile>> Disable(long adminId)
    {
        if (await Administered(adminId) is { } refused) return refused;
        var row = Live!;
        if (_isAdmin) return DomainError.Conflict("an administrator cannot be disabled: revoke their administrator role first");
        if (row.DisabledAt is not null) return Result<UserProfile>.Success(row.ToProfile());
        var changed = row.Copy();
        changed.DisabledAt = DateTime.UtcNow;
        changed.TokenVersion++;
        await directory.Update(changed, new AuditEntry(adminId, AuditActions.Disable, UserId));
        Keep(changed);
        await _sessions.EndAll();
        await CloseSessionsOlderThan(changed.TokenVersion);
        AdministrationLog.AccountDisabled(logger, adminId, UserId);
        return Result<UserProfile>.Success(changed.ToProfile());
    }

    public async Task<Result<UserProfile>> Enable(long adminId)
    {
        if (await Administered(adminId) is { } refused) return refused;
        var row = Live!;
        if (row.DisabledAt is null) return Result<UserProfile>.Success(row.ToProfile());
        var changed = row.Copy();
        changed.DisabledAt = null;
        await directory.Update(changed, new AuditEntry(adminId, AuditActions.Enable, UserId));
        Keep(changed);
        AdministrationLog.AccountEnabled(logger, adminId, UserId);
        return Result<UserProfile>.Success(changed.ToProfile());
    }

    public async Task<Result<string>> ResetPassword(long adminId)
    {
        if (await Administered(adminId) is { } refused) return refused;
        var oneTimePassword = RandomNumberGenerator.GetString(OneTimePasswordAlphabet, OneTimePasswordLength);
        var changed = Live!.Copy();
        changed.PasswordHash = PasswordHasher.Hash(oneTimePassword);
        changed.MustChangePassword = true;
        changed.TokenVersion++;
        await directory.Update(changed, new AuditEntry(adminId, AuditActions.ResetPassword, UserId));
        Keep(changed);
        // The owner may have been locked out by guesses: the new password works at once.
        _failedSignIns.Clear();
        await _sessions.EndAll();
        await CloseSessionsOlderThan(changed.TokenVersion);
        AdministrationLog.PasswordReset(logger, adminId, UserId);
        return Result<string>.Success(oneTimePassword);
    }

    public Task AdministratorChanged(bool isAdmin)
    {
        _isAdmin = isAdmin;
        if (_row is not null) _row.IsAdmin = isAdmin;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Null when <paramref name="adminId"/> (an administrator, not this account) may act on this
    /// live account, which is a person's (bots are the operator's, configured in GoChat:Bots).
    /// </summary>
    async Task<DomainError?> Administered(long adminId)
    {
        var admin = adminId == UserId ? Live?.ToProfile() : await grains.GetGrain<IUserGrain>(adminId).GetProfile();
        if (admin is not { IsAdmin: true, Disabled: false }) return DomainError.Forbidden("only administrators may do this");
        if (Live is not { } row) return DomainError.NotFound($"no user {UserId}");
        if (adminId == UserId) return DomainError.Invalid("administrators act on other accounts than their own");
        if (row.IsBot) return DomainError.Invalid("bots are configured by the operator (GoChat:Bots), not administered here");
        return null;
    }
}
