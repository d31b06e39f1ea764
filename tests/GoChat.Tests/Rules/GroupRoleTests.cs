using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Rules;

/// <summary>Who may change a group's membership: the group grain's rules, on a TestCluster silo.</summary>
[Trait("Tier", "Fast")]
public sealed class GroupRoleTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task The_creator_owns_the_group_and_the_people_added_are_members()
    {
        var (owner, a, b) = (await cluster.UserAsync("gr-owner1"), await cluster.UserAsync("gr-a1"), await cluster.UserAsync("gr-b1"));
        var group = cluster.Grains.GetGrain<IGroupGrain>(9001);
        var created = await group.Create(owner, new NewGroup("  Climbers  ", null, null, [a, b, a, owner]));

        Assert.Null(created.Error);
        Assert.Equal("Climbers", created.Value!.Name);
        var members = (await group.GetMembers()).ToDictionary(m => m.UserId, m => m.Role);
        Assert.Equal(new Dictionary<long, GroupRole> { [owner] = GroupRole.Owner, [a] = GroupRole.Member, [b] = GroupRole.Member }, members);
    }

    [Fact]
    public async Task A_plain_member_may_neither_add_nor_remove_others_but_may_leave()
    {
        var (owner, a, b, c) = (await cluster.UserAsync("gr-owner2"), await cluster.UserAsync("gr-a2"), await cluster.UserAsync("gr-b2"), await cluster.UserAsync("gr-c2"));
        var group = cluster.Grains.GetGrain<IGroupGrain>(9002);
        await group.Create(owner, new NewGroup("Group", null, null, [a, b]));

        Assert.Equal(ErrorKind.Forbidden, (await group.AddMembers(a, [c]))!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await group.Remove(a, b))!.Kind);
        Assert.Null(await group.Remove(a, a));
        Assert.False(await group.IsMember(a));
        Assert.True(await group.IsMember(b));
    }

    [Fact]
    public async Task When_the_owner_leaves_someone_else_owns_the_group()
    {
        var (owner, a) = (await cluster.UserAsync("gr-owner3"), await cluster.UserAsync("gr-a3"));
        var group = cluster.Grains.GetGrain<IGroupGrain>(9003);
        await group.Create(owner, new NewGroup("Group", null, null, [a]));

        Assert.Null(await group.Remove(owner, owner));
        Assert.Equal(a, (await group.GetInfo())!.OwnerId);
        Assert.Equal(GroupRole.Owner, Assert.Single(await group.GetMembers()).Role);
    }

    [Fact]
    public async Task Outsiders_cannot_change_a_group_and_unknown_users_cannot_be_added()
    {
        var (owner, outsider) = (await cluster.UserAsync("gr-owner4"), await cluster.UserAsync("gr-out4"));
        var group = cluster.Grains.GetGrain<IGroupGrain>(9004);
        await group.Create(owner, new NewGroup("Group", null, null, []));

        Assert.Equal(ErrorKind.Forbidden, (await group.AddMembers(outsider, [outsider]))!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await group.AddMembers(owner, [987_654_321]))!.Kind);
        Assert.Equal(ErrorKind.Invalid, (await cluster.Grains.GetGrain<IGroupGrain>(9005).Create(owner, new NewGroup("   ", null, null, []))).Error!.Kind);
    }
}
