using GoChat.Grains;
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
internal sealed class AccountService(IGrainFactory grains, UserDirectory directory, TokenService tokens)
{
    public const int MaxSearchResults = 100;

    public async Task<Result<Session>> Register(string? username, string? password, string? displayName)
    {
        if (AccountRules.CheckUsername(username) is { } nameError) return nameError;
        if (AccountRules.CheckPassword(password) is { } passwordError) return passwordError;
        // Before the account exists: a sign-up answered "try again" must leave the name free for the retry.
        await tokens.ReadyToIssueAsync();
        var registered = await grains.GetGrain<IUsernameGrain>(username!.ToLowerInvariant())
            .Register(new NewAccount(username, password!, displayName));
        if (registered.Error is { } error) return error;
        var user = registered.Value!;
        return Result<Session>.Success(new Session(user, await tokens.IssueAsync(user.Id, tokenVersion: 0)));
    }

    public async Task<Result<Session>> SignIn(string? username, string? password, SignInContext context)
    {
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            return DomainError.Invalid("username and password are required");
        if ((FreeText.CheckLine("username", username) ?? FreeText.CheckLine("password", password)) is { } textError) return textError;
        if (username.Length > AccountRules.MaxUsernameLength || password.Length > AccountRules.MaxPasswordLength)
            return DomainError.Unauthenticated("unknown user or wrong password");
        if (await directory.FindIdByName(username) is not { } userId) return DomainError.NotFound("unknown user");
        var signedIn = await User(userId).SignIn(password, context);
        if (signedIn.Error is { } error) return error;
        var (user, version) = signedIn.Value!;
        return Result<Session>.Success(new Session(user, await tokens.IssueAsync(user.Id, version)));
    }

    public Task SignOut(long userId) => User(userId).RevokeTokens();

    public Task<UserProfile?> Get(long userId) => User(userId).GetProfile();

    public async Task<Result<ProfileUpdated>> Update(long userId, ProfileUpdate update)
    {
        var changed = await User(userId).UpdateProfile(update);
        if (changed.Error is { } error) return error;
        var (user, version) = changed.Value!;
        var newToken = update.Password is null ? null : await tokens.IssueAsync(userId, version);
        return Result<ProfileUpdated>.Success(new ProfileUpdated(user, newToken));
    }

    public Task Delete(long userId) => User(userId).Delete();

    public Task<IReadOnlyList<UserProfile>> Search(string? prefix, int limit) =>
        directory.Search(prefix ?? "", Math.Clamp(limit, 1, MaxSearchResults));

    IUserGrain User(long userId) => grains.GetGrain<IUserGrain>(userId);
}
