using GoChat.Grains.Chat;

namespace GoChat.Grains.Users;

/// <summary>The user grain's sessions and passwords: sign-in, token checks, ending sessions, changing the password.</summary>
internal sealed partial class UserGrain
{
    const string DisabledAccount = "this account has been disabled by an administrator";

    public async Task<Result<SignIn>> SignIn(string password, NewSession session, bool canChangePassword)
    {
        if (Live is not { } row) return DomainError.NotFound("unknown user");
        if (CheckPassword(password) is { } wrong) return wrong;
        // After the password: a guesser learns nothing about the account's state.
        if (row.DisabledAt is not null) return DomainError.Forbidden(DisabledAccount);
        if (row.MustChangePassword && !canChangePassword) return DomainError.Forbidden(AccountRules.PasswordResetPending);
        row.LoginAt = DateTime.UtcNow;
        row.ClientIp = Truncate(session.From.ClientIp, 64);
        row.DeviceInfo = Truncate(session.From.DeviceInfo, 256);
        await directory.Update(row);
        return await Open(row, session);
    }

    public async Task<Result<SignIn>> StartSession(NewSession session)
    {
        if (Live is not { } row) return DomainError.NotFound("unknown user");
        if (row.DisabledAt is not null) return DomainError.Forbidden(DisabledAccount);
        return await Open(row, session);
    }

    async Task<Result<SignIn>> Open(UserRow row, NewSession session)
    {
        var (started, evicted) = await _sessions.Start(session);
        if (evicted is { } oldest) await CloseSession(oldest);
        return Result<SignIn>.Success(new SignIn(row.ToProfile(), row.TokenVersion, started.Id));
    }

    public async Task<SessionCheck> CheckSession(int tokenVersion, Guid sessionId)
    {
        if (Live is not { } row || row.DisabledAt is not null || row.TokenVersion != tokenVersion) return SessionCheck.Ended;
        if (!await _sessions.Touch(sessionId)) return SessionCheck.Ended;
        return row.MustChangePassword ? SessionCheck.PasswordChangeRequired : SessionCheck.Valid;
    }

    public async Task<IReadOnlyList<SessionInfo>> GetSessions() => Live is null ? [] : await _sessions.List();

    public async Task<DomainError?> EndSession(Guid sessionId)
    {
        if (Live is null || !await _sessions.End(sessionId)) return DomainError.NotFound($"no session {sessionId}");
        await CloseSession(sessionId);
        AccountLog.SessionEnded(logger, UserId);
        return null;
    }

    public async Task<Result<ProfileChange>> ChangePassword(string currentPassword, string newPassword, Guid callerSession)
    {
        if (Live is not { } row) return DomainError.NotFound("unknown user");
        if (AccountRules.CheckPassword(newPassword, "newPassword") is { } invalid) return invalid;
        switch (CheckPassword(currentPassword))
        {
            case { Kind: ErrorKind.RateLimited } limited: return limited;
            case not null: return DomainError.Forbidden("currentPassword is not this account's password");
        }
        if (newPassword == currentPassword) return DomainError.Invalid("newPassword must differ from the current password");

        var changed = row.Copy();
        changed.PasswordHash = PasswordHasher.Hash(newPassword);
        changed.MustChangePassword = false;
        changed.TokenVersion++;
        await directory.Update(changed);
        Keep(changed);
        // Whoever else holds a session may be why the password changes: they all end, the caller's goes on.
        await _sessions.EndAll(except: callerSession);
        await CloseSessionsOlderThan(changed.TokenVersion);
        AccountLog.PasswordChanged(logger, UserId);
        return Result<ProfileChange>.Success(new ProfileChange(changed.ToProfile(), changed.TokenVersion, await _sessions.ExpiryOf(callerSession)));
    }

    public async Task RevokeTokens()
    {
        if (Live is not { } row) return;
        row.TokenVersion++;
        row.LogoutAt = DateTime.UtcNow;
        await directory.Update(row);
        await _sessions.EndAll();
        await CloseSessionsOlderThan(row.TokenVersion);
    }

    /// <summary>
    /// Null when <paramref name="password"/> is the account's; else why not: wrong (counted), or too
    /// many wrong ones lately (5 within 5 minutes lock the account's sign-in for the rest of the window).
    /// </summary>
    DomainError? CheckPassword(string password)
    {
        var now = DateTime.UtcNow;
        while (_failedSignIns.TryPeek(out var oldest) && now - oldest > FailedSignInWindow) _failedSignIns.Dequeue();
        if (_failedSignIns.Count >= MaxFailedSignIns)
            return DomainError.RateLimited("too many wrong passwords for this account; try again in a few minutes",
                FailedSignInWindow - (now - _failedSignIns.Peek()));
        if (!PasswordHasher.Verify(password, _row!.PasswordHash))
        {
            _failedSignIns.Enqueue(now);
            AccountLog.WrongPassword(logger, UserId);
            return DomainError.Unauthenticated("wrong password");
        }
        _failedSignIns.Clear();
        return null;
    }

    /// <summary>
    /// Tokens are checked when a connection opens; the connections already open are told through
    /// the user's route, which reaches every WebFront holding one. Published after the new version
    /// is committed, so a connection that checks again on hearing it sees the new version.
    /// </summary>
    Task CloseSessionsOlderThan(int tokenVersion) =>
        grains.ToUser(UserId, new TokensRevoked(UserId, tokenVersion));

    /// <summary>As <see cref="CloseSessionsOlderThan"/>, for the connections of one ended session.</summary>
    Task CloseSession(Guid sessionId) =>
        grains.ToUser(UserId, new TokensRevoked(UserId, _row!.TokenVersion, sessionId));
}
