namespace GoChat.Grains.Users;

/// <summary>A session about to be opened: where from, and when its token expires (the session ends then too).</summary>
[GenerateSerializer, Immutable]
public sealed record NewSession(SignInContext From, DateTime ExpiresAt);

/// <summary>One signed-in session (a token's "sid") as its owner sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionInfo(Guid Id, DateTime CreatedAt, DateTime LastSeenAt, DateTime ExpiresAt, string UserAgent, string Address);

/// <summary>What a token's check against its account found.</summary>
public enum SessionCheck
{
    /// <summary>Revoked (logout, a new password, the session ended, the account disabled or closed) or expired.</summary>
    Ended = 0,
    Valid = 1,
    /// <summary>Valid, but an administrator reset the password: the session may only choose a new one.</summary>
    PasswordChangeRequired = 2,
}
