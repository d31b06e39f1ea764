using Orleans.Concurrency;

namespace GoChat.Grains.Users;

/// <summary>
/// What an administrator does to one account (a second role of the user grain: key the user id).
/// Every call names the administrator acting, is refused unless they are one, and is recorded in
/// the audit with the change it made, in the same transaction.
/// </summary>
public interface IAccountAdministration : IGrainWithIntegerKey
{
    /// <summary>The account can no longer sign in; its sessions end and its live connections close at once.</summary>
    Task<Result<UserProfile>> Disable(long adminId);

    Task<Result<UserProfile>> Enable(long adminId);

    /// <summary>
    /// Replaces the password with a one-time password, returned here and nowhere else; every session
    /// ends, and the next sign-in must choose a new password before doing anything else.
    /// </summary>
    Task<Result<string>> ResetPassword(long adminId);

    /// <summary>From <see cref="IAdministratorsGrain"/>, which owns users.is_admin, after it changed it: the cached row follows.</summary>
    [AlwaysInterleave]
    Task AdministratorChanged(bool isAdmin);
}

/// <summary>
/// Who the administrators are. Key: 0 (one per cluster; administrators change rarely, and never on a
/// hot path). The only writer of users.is_admin, so granting and revoking are decided one at a time
/// here: the last administrator is never revoked, and of two accounts registered at once on an
/// empty server exactly one becomes the administrator.
/// </summary>
public interface IAdministratorsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A new account was registered: with no GoChat:Admins configured, the first account of a server
    /// (the lowest id that is not a bot's, while no administrator exists) becomes its administrator.
    /// True when this one did.
    /// </summary>
    Task<bool> AccountRegistered(long userId);

    /// <summary>Makes the named accounts administrators (GoChat:Admins, at start); returns the names no live, enabled person's account holds.</summary>
    Task<IReadOnlyList<string>> ApplyConfigured(IReadOnlyList<string> usernames);

    Task<DomainError?> Grant(long adminId, long userId);

    /// <summary>Refused for the last administrator (an enabled, live account), so a server always keeps one.</summary>
    Task<DomainError?> Revoke(long adminId, long userId);

    /// <summary>An administrator deletes their own account: their role ends first, unless they are the last administrator.</summary>
    Task<DomainError?> ReleaseForClosure(long userId);
}
