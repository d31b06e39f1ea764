using Orleans.Concurrency;

namespace GoChat.Grains.Users;

/// <summary>One account. Key: the user id.</summary>
public interface IUserGrain : IGrainWithIntegerKey
{
    /// <summary>The profile, or null when there is no such (live) account. A read: it interleaves with changes in progress.</summary>
    [AlwaysInterleave]
    Task<UserProfile?> GetProfile();

    /// <summary>The profile and the counters, answered from memory; null when there is no such (live) account.</summary>
    [AlwaysInterleave]
    Task<UserCard?> GetCard();

    /// <summary>
    /// The epoch of the counters held now (a new one after each load from the tables), or null when
    /// there is no such (live) account. A writer that will change this user's counters reads it
    /// before committing and hands it back with the change (<see cref="ApplyCounterChange"/>).
    /// Also serves as the existence check before such a write.
    /// </summary>
    [AlwaysInterleave]
    Task<Guid?> GetCounterEpoch();

    /// <summary>
    /// Tells the user about a committed write that changed their counters. Applied only if the
    /// counters were loaded before that write (the epoch read before the commit is still current);
    /// otherwise the counters are loaded again from the tables, which counts the write in. Returns
    /// the epoch afterwards.
    /// </summary>
    [AlwaysInterleave]
    Task<Guid> ApplyCounterChange(CounterChange change, Guid epochBeforeCommit);

    /// <summary>Loads the counters again from the tables (after a change could not be delivered, or an account closed).</summary>
    [AlwaysInterleave]
    Task RefreshCounters();

    /// <summary>
    /// Changes the profile; a new password also revokes every token issued so far (as <see cref="RevokeTokens"/>)
    /// and ends every session but <paramref name="callerSession"/>, whose replacement token carries the
    /// new token version in the answer.
    /// </summary>
    Task<Result<ProfileChange>> UpdateProfile(ProfileUpdate update, Guid callerSession);

    /// <summary>
    /// Checks a password and opens a session. A disabled account is refused after a right password
    /// (so its state is not told to a guesser). One whose password an administrator reset is refused
    /// unless <paramref name="canChangePassword"/> (the dialect can then ask for a new one).
    /// </summary>
    Task<Result<SignIn>> SignIn(string password, NewSession session, bool canChangePassword);

    /// <summary>Opens a session without a password: for the account just registered.</summary>
    Task<Result<SignIn>> StartSession(NewSession session);

    /// <summary>Whether a token of this version and session still works, and for what.</summary>
    Task<SessionCheck> CheckSession(int tokenVersion, Guid sessionId);

    /// <summary>The account's live sessions, most recently seen first.</summary>
    Task<IReadOnlyList<SessionInfo>> GetSessions();

    /// <summary>Ends one session: its tokens stop working and its live connections close; the others go on.</summary>
    Task<DomainError?> EndSession(Guid sessionId);

    /// <summary>
    /// The owner's password change: checks the current password, sets the new one (clearing a reset by
    /// an administrator), ends every other session and revokes older tokens; <paramref name="callerSession"/>
    /// goes on with the token version in the answer.
    /// </summary>
    Task<Result<ProfileChange>> ChangePassword(string currentPassword, string newPassword, Guid callerSession);

    /// <summary>
    /// Logout: every token issued so far stops working, every session ends, and every live connection
    /// opened with one is told to close (a "tokensRevoked" event on the user's delivery route).
    /// </summary>
    Task RevokeTokens();

    /// <summary>
    /// Deletes the account: its personal data is erased (see docs/security.md ("Administrators and accounts")), its name stays
    /// reserved, its messages stay in their conversations (from "Deleted user"), and its tokens and
    /// live connections end as at logout. <paramref name="password"/>, when given, must be the
    /// account's (the native route asks for it; ginchat's deleteUser is authorised by its token alone,
    /// as ginchat defined it). The last administrator cannot delete their account.
    /// </summary>
    Task<DomainError?> Close(string? password);

    /// <summary>Whether this id belongs to an account its owner deleted (rendered as "Deleted user").</summary>
    [AlwaysInterleave]
    Task<bool> IsClosed();

    /// <summary>Makes this user and another friends: a follow edge each way.</summary>
    Task<DomainError?> AddContact(long otherUserId);

    /// <summary>Ends a friendship: removes both follow edges.</summary>
    Task RemoveContact(long otherUserId);

    /// <summary>Follows another user (one edge); following twice is a no-op, following yourself an error.</summary>
    Task<DomainError?> Follow(long otherUserId);

    Task Unfollow(long otherUserId);

    /// <summary>
    /// Publishes a video whose file and cover are already stored media of this user; returns the
    /// new video's id. Here because the author's grain holds the work count it changes.
    /// </summary>
    Task<Result<long>> PublishVideo(string title, long videoMediaId, long coverMediaId);

    /// <summary>Online while any live WebFront holds a connection of this user.</summary>
    Task<bool> IsOnline();
}

/// <summary>Guards one user name (lower-cased key) so that two accounts never share it.</summary>
public interface IUsernameGrain : IGrainWithStringKey
{
    /// <summary>The id of the account holding this name, or null.</summary>
    Task<long?> GetOwner();

    /// <summary>Creates the account that owns this name, unless the name is taken.</summary>
    Task<Result<UserProfile>> Register(NewAccount account);

    /// <summary>Moves this name to an existing account (a rename); fails when someone else holds it.</summary>
    Task<DomainError?> Transfer(long userId);

    /// <summary>Frees the name after its owner moved to another name.</summary>
    Task Release(long userId);
}
