using GoChat.Grains.Chat;
using GoChat.Grains.Social;
using GoChat.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GoChat.Grains.Users;

/// <summary>
/// One account. Key: the user id. State: the account's users-table row, loaded on activation and
/// written through on every change (the table is the source of truth; nothing here outlives it
/// except the in-memory count of recent failed sign-ins, which throttles password guessing).
/// Not reentrant: changes to one account apply one at a time.
/// </summary>
public sealed class UserGrain(
    UserDirectory directory, FollowStore follows, GroupCommitter committer, IGrainFactory grains, IClusterMembershipService membership,
    ILogger<UserGrain> logger)
    : Grain, IUserGrain
{
    const int MaxFailedSignIns = 5;
    static readonly TimeSpan FailedSignInWindow = TimeSpan.FromMinutes(5);

    UserRow? _row;
    readonly HashSet<SiloAddress> _connectedAt = [];
    readonly Queue<DateTime> _failedSignIns = new();

    long UserId => this.GetPrimaryKeyLong();
    UserRow? Live => _row is { DeletedAt: null } ? _row : null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _row = await directory.Get(UserId);

    public Task<UserProfile?> GetProfile() => Task.FromResult(Live?.ToProfile());

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
            logger.LogInformation("Wrong password for user {UserId}", UserId);
            return DomainError.Unauthenticated("wrong password");
        }
        _failedSignIns.Clear();
        row.LoginAt = now;
        row.ClientIp = Truncate(context.ClientIp, 64);
        row.DeviceInfo = Truncate(context.DeviceInfo, 256);
        await directory.Update(row);
        return Result<SignIn>.Success(new SignIn(row.ToProfile(), row.TokenVersion));
    }

    public async Task<Result<UserProfile>> UpdateProfile(ProfileUpdate update)
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
        if (update.Password is { } password) changed.PasswordHash = PasswordHasher.Hash(password);

        if (!await directory.Update(changed))
        {
            if (nameOwnerChanges) await Username(update.Username!).Release(UserId);
            return DomainError.Conflict("username is already taken");
        }
        _row = changed;
        if (nameOwnerChanges) await Username(oldName).Release(UserId);
        return Result<UserProfile>.Success(changed.ToProfile());
    }

    public async Task RevokeTokens()
    {
        if (Live is not { } row) return;
        row.TokenVersion++;
        row.LogoutAt = DateTime.UtcNow;
        await directory.Update(row);
    }

    public async Task Delete()
    {
        if (Live is not { } row) return;
        row.TokenVersion++;
        row.DeletedAt = DateTime.UtcNow;
        await directory.Update(row);
        logger.LogInformation("Closed account {UserId}", UserId);
    }

    public async Task<DomainError?> AddContact(long otherUserId)
    {
        if (Live is null) return DomainError.NotFound("unknown user");
        if (otherUserId == UserId) return DomainError.Invalid("you cannot add yourself as a contact");
        if (await grains.GetGrain<IUserGrain>(otherUserId).GetProfile() is null) return DomainError.NotFound($"no user {otherUserId}");
        return await follows.AddMutual(UserId, otherUserId) ? null : DomainError.Conflict("you are already friends");
    }

    public Task RemoveContact(long otherUserId) => follows.RemoveMutual(UserId, otherUserId);

    public async Task<DomainError?> Follow(long otherUserId)
    {
        if (Live is null) return DomainError.NotFound("unknown user");
        if (otherUserId == UserId) return DomainError.Invalid("you cannot follow yourself");
        if (await grains.GetGrain<IUserGrain>(otherUserId).GetProfile() is null) return DomainError.NotFound($"no user {otherUserId}");
        await committer.Write("INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", UserId, otherUserId);
        return null;
    }

    public Task Unfollow(long otherUserId) =>
        committer.Write("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2", UserId, otherUserId);

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
            await grains.ToUser(friend.Id, new ChatEvent("presence", "", UserId, Online: online));
    }

    IUsernameGrain Username(string name) => grains.GetGrain<IUsernameGrain>(name.ToLowerInvariant());

    static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
