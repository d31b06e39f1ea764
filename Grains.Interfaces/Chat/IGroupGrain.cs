namespace GoChat.Grains.Chat;

public enum GroupRole : short
{
    Owner = 1,
    Admin = 2,
    Member = 3,
}

[GenerateSerializer, Immutable]
public sealed record GroupMember(long UserId, GroupRole Role);

[GenerateSerializer, Immutable]
public sealed record GroupInfo(long Id, string Name, string Description, string IconUrl, long OwnerId, int MemberCount, DateTime CreatedAt);

[GenerateSerializer, Immutable]
public sealed record NewGroup(string Name, string? Description, string? IconUrl, IReadOnlyList<long> MemberIds);

/// <summary>A group. Key: the group id.</summary>
public interface IGroupGrain : IGrainWithIntegerKey
{
    Task<Result<GroupInfo>> Create(long ownerId, NewGroup group);

    /// <summary>The group, or null when it does not exist.</summary>
    Task<GroupInfo?> GetInfo();

    Task<IReadOnlyList<GroupMember>> GetMembers();

    Task<bool> IsMember(long userId);

    Task<DomainError?> AddMembers(long callerId, IReadOnlyList<long> userIds);

    Task<DomainError?> Join(long userId);

    /// <summary>A member leaves (caller = user) or an owner/admin removes someone.</summary>
    Task<DomainError?> Remove(long callerId, long userId);
}
