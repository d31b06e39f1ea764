namespace GoChat.Grains.Users;

/// <summary>
/// An account as the APIs render it. Phone, Email, ClientIp and DeviceInfo are the owner's only:
/// render what <see cref="SeenBy"/> leaves.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UserProfile(
    long Id,
    string Username,
    string DisplayName,
    string AvatarUrl,
    string Signature,
    string Phone,
    string Email,
    bool IsBot,
    bool IsAdmin,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? LoginAt,
    DateTime? LogoutAt,
    string ClientIp,
    string DeviceInfo,
    bool Disabled = false,
    bool MustChangePassword = false)
{
    /// <summary>What every dialect shows for an account its owner deleted: the messages it sent stay, from "Deleted user".</summary>
    public const string DeletedName = "Deleted user";

    /// <summary>The stand-in for a deleted account: no name, no profile, nothing its owner wrote about themselves.</summary>
    public static UserProfile Deleted(long id) =>
        new(id, "", DeletedName, "", "", "", "", false, false, DateTime.MinValue, DateTime.MinValue, null, null, "", "");

    /// <summary>This profile as <paramref name="viewerId"/> may see it: anyone but its owner gets the private fields blank.</summary>
    public UserProfile SeenBy(long viewerId) => viewerId == Id ? this : this with { Phone = "", Email = "", ClientIp = "", DeviceInfo = "" };
}

/// <summary>A change to a profile; null fields stay as they are.</summary>
[GenerateSerializer, Immutable]
public sealed record ProfileUpdate(
    string? Username = null,
    string? DisplayName = null,
    string? AvatarUrl = null,
    string? Signature = null,
    string? Phone = null,
    string? Email = null,
    string? Password = null);

/// <summary>What a new account starts with.</summary>
[GenerateSerializer, Immutable]
public sealed record NewAccount(string Username, string Password, string? DisplayName);

/// <summary>Where a sign-in came from, kept for the ginchat user fields.</summary>
[GenerateSerializer, Immutable]
public sealed record SignInContext(string ClientIp, string DeviceInfo);

/// <summary>
/// A successful sign-in: the profile, and the token version and session id to embed in the issued
/// token. <c>User.MustChangePassword</c> says the session may do nothing but choose a new password.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SignIn(UserProfile User, int TokenVersion, Guid SessionId);

/// <summary>
/// A changed profile and the account's token version now: a new one when the change set a password,
/// which revokes older tokens; the caller's session goes on, until <c>SessionExpiresAt</c>, with a
/// token of the new version.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProfileChange(UserProfile User, int TokenVersion, DateTime? SessionExpiresAt = null);
