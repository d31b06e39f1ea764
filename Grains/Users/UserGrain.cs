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
/// Not reentrant: changes to one account apply one at a time; reads and counter changes interleave.
/// </summary>
internal sealed class UserGrain(
    UserDirectory directory, FollowStore follows, VideoStore videos, GroupCommitter committer, IGrainFactory grains, IClusterMembershipService membership,
    NpgsqlDataSource db, ILogger<UserGrain> logger)
    : Grain, IUserGrain
{
    const int MaxFailedSignIns = 5;
    const int RefreshFanOut = 64;
    static readonly TimeSpan FailedSignInWindow = TimeSpan.FromMinutes(5);

    UserRow? _row;
    DerivedUserCounters _counters = null!;
    readonly HashSet<SiloAddress> _connectedAt = [];
    readonly Queue<DateTime> _failedSignIns = new();

    long UserId => this.GetPrimaryKeyLong();
    UserRow? Live => _row is { DeletedAt: null } ? _row : null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _row = await directory.Get(UserId);
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

    public Task<int?> GetTokenVersion() => Task.FromResult(Live?.TokenVersion);

    public async Task<Result<SignIn>> SignIn(string password, SignInContext context)
    {
        if (Live is not { } row) return DomainError.NotFound("unknown user");
        var now = DateTime.UtcNow;
        while (_failedSignIns.TryPeek(out var oldest) && now - oldest > FailedSignInWindow) _failedSignIns.Dequeue();
        if (_failedSignIns.Count >= MaxFailedSignIns)
            return DomainError.RateLimited("too many wrong passwords for this account; try again in a few minutes");

        if (!PasswordHasher.Verify(password, row.PasswordHash))
        {
            _failedSignIns.Enqueue(now);
            AccountLog.WrongPassword(logger, UserId);
            return DomainError.Unauthenticated("wrong password");
        }
        _failedSignIns.Clear();
        row.LoginAt = now;
        row.ClientIp = Truncate(context.ClientIp, 64);
        row.DeviceInfo = Truncate(context.DeviceInfo, 256);
        await directory.Update(row);
        return Result<SignIn>.Success(new SignIn(row.ToProfile(), row.TokenVersion));
    }

    public async Task<Result<ProfileChange>> UpdateProfile(ProfileUpdate update)
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
        _row = changed;
        if (nameOwnerChanges) await Username(oldName).Release(UserId);
        if (changed.TokenVersion != row.TokenVersion) await CloseSessionsOlderThan(changed.TokenVersion);
        return Result<ProfileChange>.Success(new ProfileChange(changed.ToProfile(), changed.TokenVersion));
    }

    public async Task RevokeTokens()
    {
        if (Live is not { } row) return;
        row.TokenVersion++;
        row.LogoutAt = DateTime.UtcNow;
        await directory.Update(row);
        await CloseSessionsOlderThan(row.TokenVersion);
    }

    /// <summary>
    /// Tokens are checked when a connection opens; the connections already open are told through
    /// the user's route, which reaches every WebFront holding one. Published after the new version
    /// is committed, so a connection that checks again on hearing it sees the new version.
    /// </summary>
    Task CloseSessionsOlderThan(int tokenVersion) =>
        grains.ToUser(UserId, new TokensRevoked(UserId, tokenVersion));

    public async Task Delete()
    {
        if (Live is not { } row) return;
        row.TokenVersion++;
        row.DeletedAt = DateTime.UtcNow;
        await directory.Update(row);
        await CloseSessionsOlderThan(row.TokenVersion);
        AccountLog.AccountClosed(logger, UserId);
        // Counters count live accounts only: everyone this user followed or was followed by counts again.
        foreach (var followers in new[] { false, true })
        {
            FollowCursor? after = null;
            do
            {
                var page = await follows.Edges(UserId, followers, after, RefreshFanOut);
                await Task.WhenAll(page.Items.Select(id => CounterDelivery.Refresh(grains, id, logger)));
                after = page.Next;
            }
            while (after is not null);
        }
    }

    public async Task<DomainError?> AddContact(long otherUserId)
    {
        if (Live is null) return DomainError.NotFound("unknown user");
        if (otherUserId == UserId) return DomainError.Invalid("you cannot add yourself as a contact");
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

    public async Task SetConnected(SiloAddress webFront, bool connected)
    {
        var wasOnline = Online;
        if (connected) _connectedAt.Add(webFront);
        else _connectedAt.Remove(webFront);
        // Presence lives only in memory: stay active while connected.
        if (connected) DelayDeactivation(TimeSpan.FromDays(1));
        if (Online != wasOnline) await AnnouncePresence(Online);
    }

    public Task<bool> IsOnline() => Task.FromResult(Online);

    /// <summary>Connections held by a WebFront that has left or died do not count: membership decides.</summary>
    bool Online
    {
        get
        {
            _connectedAt.RemoveWhere(silo => membership.CurrentSnapshot.GetSiloStatus(silo) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping);
            return _connectedAt.Count > 0;
        }
    }

    async Task AnnouncePresence(bool online)
    {
        foreach (var friend in await follows.Friends(UserId))
            await grains.ToUser(friend.Id, new PresenceChanged(UserId, online));
    }

    IUsernameGrain Username(string name) => grains.GetGrain<IUsernameGrain>(name.ToLowerInvariant());

    static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
