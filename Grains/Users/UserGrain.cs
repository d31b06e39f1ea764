using GoChat.Grains.Chat;
using GoChat.Grains.Social;
using GoChat.Grains.Storage;
using GoChat.Grains.Videos;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Runtime;

namespace GoChat.Grains.Users;

/// <summary>
/// One account. Key: the user id. State: the account's users-table row, loaded on activation and
/// written through on every change (the table is the source of truth; nothing here outlives it
/// except the in-memory count of recent failed sign-ins, which throttles password guessing), and
/// the douyin counters, derived from the follows, favorites and videos tables: counted by one
/// query when the activation first needs them, then moved only by committed writes
/// (<see cref="DerivedUserCounters"/>).
/// The account's signed-in sessions are held too, loaded on first need (<see cref="UserSessions"/>).
/// is_admin is written only by <see cref="AdministratorsGrain"/>, which tells this grain
/// (<see cref="AdministratorChanged"/>); every row this grain writes keeps the flag it was told.
/// Not reentrant: changes to one account apply one at a time; reads and counter changes interleave.
/// Split by job: sessions and passwords (UserGrain.Sessions.cs), administrators' actions
/// (UserGrain.Administration.cs), deleting the account (UserGrain.Closure.cs).
/// </summary>
internal sealed partial class UserGrain(
    UserDirectory directory, FollowStore follows, VideoStore videos, GroupCommitter committer, IGrainFactory grains, IClusterMembershipService membership,
    NpgsqlDataSource db, SessionStore sessionStore, AccountErasure erasure, ILogger<UserGrain> logger)
    : Grain, IUserGrain, IAccountAdministration
{
    const int MaxFailedSignIns = 5;
    static readonly TimeSpan FailedSignInWindow = TimeSpan.FromMinutes(5);

    UserRow? _row;
    bool _isAdmin;
    UserSessions _sessions = null!;
    DerivedUserCounters _counters = null!;
    readonly Queue<DateTime> _failedSignIns = new();

    long UserId => this.GetPrimaryKeyLong();
    UserRow? Live => _row is { DeletedAt: null } ? _row : null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _row = await directory.Get(UserId);
        _isAdmin = _row?.IsAdmin ?? false;
        _sessions = new UserSessions(UserId, sessionStore);
        // Counted on first use: users who never touch the douyin routes never pay for the count.
        _counters = new DerivedUserCounters(UserId, db);
    }

    public Task<UserProfile?> GetProfile() => Task.FromResult(Live?.ToProfile());

    public async Task<UserCard?> GetCard()
    {
        if (Live is null) return null;
        await Guarded(_counters.EnsureLoaded());
        return Live is { } row ? new UserCard(row.ToProfile(), _counters.Value) : null;
    }

    public async Task<Guid?> GetCounterEpoch()
    {
        if (Live is null) return null;
        await Guarded(_counters.EnsureLoaded());
        return _counters.Epoch;
    }

    public async Task<Guid> ApplyCounterChange(CounterChange change, Guid epochBeforeCommit)
    {
        await Guarded(_counters.Apply(change, epochBeforeCommit));
        return _counters.Epoch;
    }

    public Task RefreshCounters() => LoadCounters();

    public async Task<Result<long>> PublishVideo(string title, long videoMediaId, long coverMediaId)
    {
        if (Live is null) return DomainError.NotFound("unknown user");
        await Guarded(_counters.EnsureLoaded());
        var epoch = _counters.Epoch;
        var row = await videos.Insert(UserId, title, videoMediaId, coverMediaId);
        await Guarded(_counters.Apply(new CounterChange(Works: 1), epoch));
        return Result<long>.Success(row.Id);
    }

    Task LoadCounters() => Guarded(_counters.Load());

    /// <summary>Counters that could not be loaded may be missing a change: let a fresh activation count them.</summary>
    async Task Guarded(Task counterWork)
    {
        try
        {
            await counterWork;
        }
        catch (Exception e)
        {
            AccountLog.CountersLoadFailed(logger, e, UserId);
            DeactivateOnIdle();
            throw;
        }
    }

    public async Task<Result<ProfileChange>> UpdateProfile(ProfileUpdate update, Guid callerSession)
    {
        if (Live is not { } row) return DomainError.NotFound("unknown user");
        if (AccountRules.Check(update) is { } error) return error;

        var oldName = row.Username;
        var renamed = update.Username is { } newName && newName != oldName;
        var nameOwnerChanges = renamed && !string.Equals(update.Username, oldName, StringComparison.OrdinalIgnoreCase);
        if (nameOwnerChanges && await Username(update.Username!).Transfer(UserId) is { } taken) return taken;

        var changed = row.Copy();
        changed.Username = update.Username ?? row.Username;
        changed.DisplayName = update.DisplayName?.Trim() ?? row.DisplayName;
        changed.AvatarUrl = update.AvatarUrl ?? row.AvatarUrl;
        changed.Signature = update.Signature ?? row.Signature;
        changed.Phone = update.Phone ?? row.Phone;
        changed.Email = update.Email ?? row.Email;
        if (update.Password is { } password)
        {
            // Whoever held a session may be why the password changes: every older token ends.
            changed.PasswordHash = PasswordHasher.Hash(password);
            changed.MustChangePassword = false;
            changed.TokenVersion++;
        }
        else if (changed.Username == row.Username && changed.DisplayName == row.DisplayName && changed.AvatarUrl == row.AvatarUrl
                 && changed.Signature == row.Signature && changed.Phone == row.Phone && changed.Email == row.Email)
            return Result<ProfileChange>.Success(new ProfileChange(row.ToProfile(), row.TokenVersion)); // nothing to write

        if (!await directory.Update(changed))
        {
            if (nameOwnerChanges) await Username(update.Username!).Release(UserId);
            return DomainError.Conflict("username is already taken");
        }
        Keep(changed);
        if (nameOwnerChanges) await Username(oldName).Release(UserId);
        if (changed.TokenVersion == row.TokenVersion) return Result<ProfileChange>.Success(new ProfileChange(changed.ToProfile(), changed.TokenVersion));
        await _sessions.EndAll(except: callerSession);
        await CloseSessionsOlderThan(changed.TokenVersion);
        return Result<ProfileChange>.Success(new ProfileChange(changed.ToProfile(), changed.TokenVersion, await _sessions.ExpiryOf(callerSession)));
    }

    /// <summary>Makes a written row the cached one, with the administrator flag this grain was last told.</summary>
    void Keep(UserRow written)
    {
        written.IsAdmin = _isAdmin;
        _row = written;
    }

    public async Task<DomainError?> AddContact(long otherUserId)
    {
        if (Live is null) return DomainError.NotFound("unknown user");
        if (otherUserId == UserId) return DomainError.Invalid("you cannot add yourself as a contact");
        if (TakeContactRequest() is { } limited) return limited;
        if (await grains.GetGrain<IUserGrain>(otherUserId).GetCounterEpoch() is not { } otherEpoch) return DomainError.NotFound($"no user {otherUserId}");
        var mine = _counters.Epoch;
        var added = await follows.AddMutual(UserId, otherUserId);
        await ApplyEdgeChanges(otherUserId, added, +1, mine, otherEpoch);
        return added.Count > 0 ? null : DomainError.Conflict("you are already friends");
    }

    public async Task RemoveContact(long otherUserId)
    {
        var otherEpoch = await grains.GetGrain<IUserGrain>(otherUserId).GetCounterEpoch();
        var mine = _counters.Epoch;
        var removed = await follows.RemoveMutual(UserId, otherUserId);
        // Edges to a closed account are not counted on either side.
        if (Live is not null && otherEpoch is not null) await ApplyEdgeChanges(otherUserId, removed, -1, mine, otherEpoch);
    }

    public async Task<DomainError?> Follow(long otherUserId)
    {
        if (Live is null) return DomainError.NotFound("unknown user");
        if (otherUserId == UserId) return DomainError.Invalid("you cannot follow yourself");
        if (await grains.GetGrain<IUserGrain>(otherUserId).GetCounterEpoch() is not { } otherEpoch) return DomainError.NotFound($"no user {otherUserId}");
        var mine = _counters.Epoch;
        var inserted = await committer.Write("INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", UserId, otherUserId);
        if (inserted > 0) await ApplyEdgeChanges(otherUserId, [UserId], +1, mine, otherEpoch);
        return null;
    }

    public async Task Unfollow(long otherUserId)
    {
        var otherEpoch = await grains.GetGrain<IUserGrain>(otherUserId).GetCounterEpoch();
        var mine = _counters.Epoch;
        var deleted = await committer.Write("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2", UserId, otherUserId);
        if (deleted > 0 && Live is not null && otherEpoch is not null) await ApplyEdgeChanges(otherUserId, [UserId], -1, mine, otherEpoch);
    }

    /// <summary>Counts committed follow edges between this user and another (each named by its follower) on both sides.</summary>
    async Task ApplyEdgeChanges(long otherUserId, IReadOnlyCollection<long> edgeFollowers, int sign, Guid mine, Guid? otherEpoch)
    {
        if (edgeFollowers.Count == 0) return;
        long outgoing = edgeFollowers.Count(f => f == UserId) * sign, incoming = edgeFollowers.Count(f => f == otherUserId) * sign;
        await Task.WhenAll(
            ApplyOwn(new CounterChange(Following: outgoing, Followers: incoming), mine),
            CounterDelivery.Deliver(grains, otherUserId, new CounterChange(Following: incoming, Followers: outgoing), otherEpoch, logger));
    }

    /// <summary>The write is committed whatever happens here: a failed load is logged and left to the next activation.</summary>
    async Task ApplyOwn(CounterChange change, Guid epochBeforeCommit)
    {
        try
        {
            await Guarded(_counters.Apply(change, epochBeforeCommit));
        }
        catch (Exception)
        {
            // logged by Guarded, which also deactivated this grain so its counters are counted afresh
        }
    }

    IUsernameGrain Username(string name) => grains.GetGrain<IUsernameGrain>(name.ToLowerInvariant());

    static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
