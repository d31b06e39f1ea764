namespace GoChat.Grains.Users;

/// <summary>The user grain deleting its account: personal data erased, the name kept reserved, messages left in place.</summary>
internal sealed partial class UserGrain
{
    public Task<bool> IsClosed() => Task.FromResult(_row is { DeletedAt: not null });

    public async Task<DomainError?> Close(string? password)
    {
        if (Live is not { } row) return null;
        if (password is not null)
            switch (CheckPassword(password))
            {
                case { Kind: ErrorKind.RateLimited } limited: return limited;
                case not null: return DomainError.Forbidden("password is not this account's password");
            }
        if (_isAdmin && await grains.GetGrain<IAdministratorsGrain>(0).ReleaseForClosure(UserId) is { } lastAdmin) return lastAdmin;

        await erasure.EraseBelongings(UserId);
        // The row stays, holding the name (never reused) and the id the messages name; nothing
        // its owner wrote about themselves, nor how to sign in, is left in it.
        var closed = row.Copy();
        closed.DisplayName = "";
        closed.AvatarUrl = "";
        closed.Signature = "";
        closed.Phone = "";
        closed.Email = "";
        closed.ClientIp = "";
        closed.DeviceInfo = "";
        closed.PasswordHash = "";
        closed.MustChangePassword = false;
        closed.LoginAt = null;
        closed.LogoutAt = null;
        closed.DeletedAt = DateTime.UtcNow;
        closed.TokenVersion++;
        await directory.Update(closed);
        Keep(closed);
        await _sessions.EndAll();
        await CloseSessionsOlderThan(closed.TokenVersion);
        AccountLog.AccountClosed(logger, UserId);
        try
        {
            await erasure.AfterClose(UserId);
        }
        catch (Exception e)
        {
            // Closed whatever happens here: edges to a closed account count nowhere, and a direct
            // conversation activated later finds the account closed by itself.
            AccountLog.AccountErasureFailed(logger, e, UserId);
        }
        return null;
    }
}
