using GoChat.Grains.Users;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Chat;

/// <summary>
/// A group. Key: the group id. State: the group's row and its member list with roles, loaded from
/// the groups/group_members tables on activation and written through on every change. Membership
/// is bounded (GoChat:Groups:MaxMembers, default 10,000), so the list fits in memory.
/// Not reentrant: membership changes apply one at a time.
/// </summary>
public sealed class GroupGrain(GroupStore store, IGrainFactory grains, IOptions<GroupOptions> options) : Grain, IGroupGrain
{
    public const int MaxNameLength = 64;
    public const int MaxDescriptionLength = 500;
    readonly int _maxMembers = options.Value.MaxMembers;

    GroupInfo? _info;
    readonly Dictionary<long, GroupRole> _members = [];

    long GroupId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await store.Load(GroupId) is not { } loaded) return;
        _info = loaded.Info;
        foreach (var member in loaded.Members) _members[member.UserId] = member.Role;
    }

    public async Task<Result<GroupInfo>> Create(long ownerId, NewGroup group)
    {
        if (_info is not null) return DomainError.Conflict("the group already exists");
        var name = group.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength) return DomainError.Invalid($"name must be 1-{MaxNameLength} characters");
        if (group.Description is { Length: > MaxDescriptionLength }) return DomainError.Invalid($"description must be at most {MaxDescriptionLength} characters");
        if (group.IconUrl is { Length: > AccountRules.MaxAvatarUrlLength }) return DomainError.Invalid("iconUrl is too long");
        if ((FreeText.CheckLine("name", name) ?? FreeText.CheckText("description", group.Description) ?? FreeText.CheckLine("iconUrl", group.IconUrl)) is { } textError)
            return textError;
        var members = (group.MemberIds ?? []).Where(id => id != ownerId).Distinct().ToList();
        if (members.Count + 1 > _maxMembers) return DomainError.Invalid($"a group holds at most {_maxMembers} members");
        if (await grains.GetGrain<IUserAllowances>(ownerId).TakeGroupCreation() is { } limited) return limited;
        if (await MissingUser(members) is { } missing) return DomainError.NotFound($"no user {missing}");

        await store.Create(GroupId, name, group.Description ?? "", group.IconUrl ?? "", ownerId, members);
        await OnActivateAsync(CancellationToken.None);
        foreach (var member in members.Prepend(ownerId)) await Announce(joined: true, member);
        return Result<GroupInfo>.Success(_info!);
    }

    public Task<GroupInfo?> GetInfo() => Task.FromResult(_info is null ? null : _info with { MemberCount = _members.Count });

    public Task<IReadOnlyList<GroupMember>> GetMembers() =>
        Task.FromResult<IReadOnlyList<GroupMember>>(_members.Select(m => new GroupMember(m.Key, m.Value)).ToList());

    public Task<bool> IsMember(long userId) => Task.FromResult(_members.ContainsKey(userId));

    public async Task<DomainError?> AddMembers(long callerId, IReadOnlyList<long> userIds)
    {
        if (_info is null) return DomainError.NotFound($"no group {GroupId}");
        if (!_members.TryGetValue(callerId, out var role)) return DomainError.Forbidden("you are not a member of this group");
        if (role == GroupRole.Member) return DomainError.Forbidden("only the owner or an admin adds members");
        var added = userIds.Distinct().Where(id => !_members.ContainsKey(id)).ToList();
        if (added.Count == 0) return null;
        if (_members.Count + added.Count > _maxMembers) return DomainError.Conflict($"a group holds at most {_maxMembers} members");
        if (await MissingUser(added) is { } missing) return DomainError.NotFound($"no user {missing}");
        await store.AddMembers(GroupId, added);
        foreach (var id in added)
        {
            _members[id] = GroupRole.Member;
            await Announce(joined: true, id);
        }
        return null;
    }

    public async Task<DomainError?> Join(long userId)
    {
        if (_info is null) return DomainError.NotFound($"no group {GroupId}");
        if (_members.ContainsKey(userId)) return null;
        if (_members.Count >= _maxMembers) return DomainError.Conflict($"the group is full ({_maxMembers} members)");
        await store.AddMembers(GroupId, [userId]);
        _members[userId] = GroupRole.Member;
        await Announce(joined: true, userId);
        return null;
    }

    public async Task<DomainError?> Remove(long callerId, long userId)
    {
        if (_info is null) return DomainError.NotFound($"no group {GroupId}");
        if (!_members.TryGetValue(userId, out var targetRole)) return DomainError.NotFound($"user {userId} is not a member");
        if (callerId != userId)
        {
            if (!_members.TryGetValue(callerId, out var callerRole) || callerRole == GroupRole.Member)
                return DomainError.Forbidden("only the owner or an admin removes members");
            if (targetRole != GroupRole.Member && callerRole != GroupRole.Owner)
                return DomainError.Forbidden("only the owner removes an admin or the owner");
        }
        // When the owner leaves, the longest-standing admin (else member) takes over.
        long? newOwner = targetRole == GroupRole.Owner
            ? _members.Where(m => m.Key != userId).OrderBy(m => m.Value).Select(m => (long?)m.Key).FirstOrDefault()
            : null;
        await store.RemoveMember(GroupId, userId, newOwner);
        _members.Remove(userId);
        if (newOwner is { } owner)
        {
            _members[owner] = GroupRole.Owner;
            _info = _info with { OwnerId = owner };
        }
        await Announce(joined: false, userId);
        return null;
    }

    async Task<long?> MissingUser(IEnumerable<long> userIds)
    {
        foreach (var id in userIds)
            if (await grains.GetGrain<IUserGrain>(id).GetProfile() is null) return id;
        return null;
    }

    /// <summary>Tells the user's WebFronts, so their open connections start or stop receiving the group's messages.</summary>
    Task Announce(bool joined, long userId) => grains.ToUser(userId, new MembershipChanged(userId, GroupId, joined));
}
