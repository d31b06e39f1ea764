using GoChat.Grains;
using GoChat.Grains.Media;
using GoChat.Grains.Users;

namespace GoChat.WebFront.Accounts;

/// <summary>A signed-in session: whose it is and the token that proves it.</summary>
internal sealed record Session(UserProfile User, string Token);

/// <summary>A changed profile; <c>NewToken</c> replaces the caller's token when the change set a password (which revoked all older tokens).</summary>
internal sealed record ProfileUpdated(UserProfile User, string? NewToken);

/// <summary>
/// Account operations as all three API dialects need them: each adapter parses its own request
/// shape, calls these, and renders the result (or the <see cref="DomainError"/>) in its dialect.
/// </summary>
internal sealed class AccountService(IGrainFactory grains, UserDirectory directory, TokenService tokens, MediaLibrary media, ILogger<AccountService> logger)
{
    public const int MaxSearchResults = 100;

    /// <summary>Creates an account and signs it in on a new session.</summary>
    public async Task<Result<Session>> Register(string? username, string? password, string? displayName, SignInContext from)
    {
        var created = await CreateAccount(username, password, displayName);
        if (created.Error is { } error) return error;
        var expires = tokens.NewSessionExpiry();
        var started = await User(created.Value!.Id).StartSession(new NewSession(from, expires));
        if (started.Error is { } startError) return startError;
        return Result<Session>.Success(await Issue(started.Value!, expires));
    }

    /// <summary>Creates an account without a session (demo data).</summary>
    public async Task<Result<UserProfile>> CreateAccount(string? username, string? password, string? displayName)
    {
        if (AccountRules.CheckUsername(username) is { } nameError) return nameError;
        if (AccountRules.CheckPassword(password) is { } passwordError) return passwordError;
        // Before the account exists: a sign-up answered "try again" must leave the name free for the retry.
        await tokens.ReadyToIssueAsync();
        return await grains.GetGrain<IUsernameGrain>(username!.ToLowerInvariant())
            .Register(new NewAccount(username, password!, displayName));
    }

    /// <summary>
    /// Signs in on a new session. <paramref name="canChangePassword"/>: the dialect can ask for a new
    /// password (the native one), so an account whose password an administrator reset gets a session
    /// (whose user says MustChangePassword) instead of a refusal.
    /// </summary>
    public async Task<Result<Session>> SignIn(string? username, string? password, SignInContext from, bool canChangePassword = false)
    {
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            return DomainError.Invalid("username and password are required");
        if ((FreeText.CheckLine("username", username) ?? FreeText.CheckLine("password", password)) is { } textError) return textError;
        if (username.Length > AccountRules.MaxUsernameLength || password.Length > AccountRules.MaxPasswordLength)
            return DomainError.Unauthenticated("unknown user or wrong password");
        if (await directory.FindIdByName(username) is not { } userId) return DomainError.NotFound("unknown user");
        var expires = tokens.NewSessionExpiry();
        var signedIn = await User(userId).SignIn(password, new NewSession(from, expires), canChangePassword);
        if (signedIn.Error is { } error) return error;
        return Result<Session>.Success(await Issue(signedIn.Value!, expires));
    }

    public Task SignOut(long userId) => User(userId).RevokeTokens();

    public Task<UserProfile?> Get(long userId) => User(userId).GetProfile();

    public async Task<Result<ProfileUpdated>> Update(TokenClaims caller, ProfileUpdate update)
    {
        var changed = await User(caller.UserId).UpdateProfile(update, caller.SessionId);
        if (changed.Error is { } error) return error;
        var (user, version, expires) = changed.Value!;
        var newToken = update.Password is null || expires is not { } end ? null : await tokens.IssueAsync(caller.UserId, version, caller.SessionId, end);
        return Result<ProfileUpdated>.Success(new ProfileUpdated(user, newToken));
    }

    /// <summary>The owner's password change: every other session ends; the caller's goes on with the returned token.</summary>
    public async Task<Result<Session>> ChangePassword(TokenClaims caller, string currentPassword, string newPassword)
    {
        var changed = await User(caller.UserId).ChangePassword(currentPassword, newPassword, caller.SessionId);
        if (changed.Error is { } error) return error;
        var (user, version, expires) = changed.Value!;
        // The caller's session ended meanwhile (a concurrent logout): nothing to carry on.
        if (expires is not { } end) return DomainError.Unauthenticated("this session ended; sign in again with the new password");
        return Result<Session>.Success(new Session(user, await tokens.IssueAsync(caller.UserId, version, caller.SessionId, end)));
    }

    public Task<IReadOnlyList<SessionInfo>> Sessions(long userId) => User(userId).GetSessions();

    public Task<DomainError?> EndSession(long userId, Guid sessionId) => User(userId).EndSession(sessionId);

    /// <summary>
    /// Deletes the account (see <see cref="IUserGrain.Close"/>), then erases its uploads that no
    /// conversation shows, here where the media files are. If that fails (the database away), the
    /// account is deleted all the same and what is left is erased at the next start
    /// (<see cref="ClosedAccountMedia"/>).
    /// </summary>
    public async Task<DomainError?> Close(long userId, string? password)
    {
        if (await User(userId).Close(password) is { } refused) return refused;
        try
        {
            await media.EraseUnshared(userId);
        }
        catch (Exception e)
        {
            SignInLog.MediaErasureDeferred(logger, e, userId);
        }
        return null;
    }

    public Task<IReadOnlyList<UserProfile>> Search(string? prefix, int limit) =>
        directory.Search(prefix ?? "", Math.Clamp(limit, 1, MaxSearchResults));

    async Task<Session> Issue(SignIn signedIn, DateTime expires) =>
        new(signedIn.User, await tokens.IssueAsync(signedIn.User.Id, signedIn.TokenVersion, signedIn.SessionId, expires));

    IUserGrain User(long userId) => grains.GetGrain<IUserGrain>(userId);
}
