using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;

namespace GoChat.WebFront.Apis;

internal sealed record CreateGroupRequest(string? Name, string? Description, string? IconUrl, long[]? MemberIds);
internal sealed record AddMembersRequest(long[]? UserIds);
public sealed record GroupMemberDto(UserDto User, string Role);
public sealed record GroupDto(long Id, string Name, string Description, string IconUrl, long OwnerId, int MemberCount, string ConversationId,
    IReadOnlyList<GroupMemberDto>? Members);

/// <summary>Native /api/v1 routes for groups.</summary>
internal static class NativeApiGroups
{
    const int MaxListed = 200;

    public static IEndpointRouteBuilder MapNativeGroupsApi(this IEndpointRouteBuilder routes)
    {
        var groups = routes.MapGroup("/api/v1/groups").WithTags("Groups").RequireAuthorization();
        groups.MapPost("/", Create);
        groups.MapGet("/", List);
        groups.MapGet("/{id:long}", Get);
        groups.MapPost("/{id:long}/members", AddMembers);
        groups.MapPost("/{id:long}/join", Join);
        groups.MapDelete("/{id:long}/members/{userId:long}", Remove);
        return routes;
    }

    static async Task<IResult> Create(CreateGroupRequest? request, HttpContext http, IGrainFactory grains, GroupStore store)
    {
        if (request is null) return NativeProblems.BadRequest("a JSON body {name, description?, iconUrl?, memberIds?} is required");
        var id = await store.NextId();
        var created = await grains.GetGrain<IGroupGrain>(id).Create(http.User.UserId(),
            new NewGroup(request.Name ?? "", request.Description, request.IconUrl, request.MemberIds ?? []));
        return created.Value is { } info ? Results.Created($"/api/v1/groups/{id}", ToDto(info, null)) : created.Error!.ToProblem();
    }

    static async Task<IResult> List(string? search, HttpContext http, IGrainFactory grains, GroupStore store)
    {
        if (search is { Length: > GroupGrain.MaxNameLength }) return NativeProblems.BadRequest($"search must be at most {GroupGrain.MaxNameLength} characters");
        var ids = search is null ? await store.GroupsOf(http.User.UserId()) : await store.Search(search, MaxListed);
        var infos = await Task.WhenAll(ids.Take(MaxListed).Select(id => grains.GetGrain<IGroupGrain>(id).GetInfo()));
        return Results.Ok(infos.OfType<GroupInfo>().Select(i => ToDto(i, null)));
    }

    static async Task<IResult> Get(long id, IGrainFactory grains, UserViews views)
    {
        var group = grains.GetGrain<IGroupGrain>(id);
        if (await group.GetInfo() is not { } info) return DomainError.NotFound($"no group {id}").ToProblem();
        var members = await group.GetMembers();
        var profiles = await Task.WhenAll(members.Select(m => grains.GetGrain<IUserGrain>(m.UserId).GetProfile()));
        var dtos = new List<GroupMemberDto>();
        foreach (var (member, profile) in members.Zip(profiles))
            if (profile is not null) dtos.Add(new GroupMemberDto(await views.Render(profile), member.Role.ToString().ToLowerInvariant()));
        return Results.Ok(ToDto(info, dtos));
    }

    static async Task<IResult> AddMembers(long id, AddMembersRequest? request, HttpContext http, IGrainFactory grains)
    {
        if (request?.UserIds is not { Length: > 0 } userIds) return NativeProblems.BadRequest("a JSON body {userIds: [..]} is required");
        if (userIds.Length > 1000) return NativeProblems.BadRequest("add at most 1000 members at a time");
        return await grains.GetGrain<IGroupGrain>(id).AddMembers(http.User.UserId(), userIds) is { } error ? error.ToProblem() : Results.NoContent();
    }

    static async Task<IResult> Join(long id, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IGroupGrain>(id).Join(http.User.UserId()) is { } error ? error.ToProblem() : Results.NoContent();

    static async Task<IResult> Remove(long id, long userId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IGroupGrain>(id).Remove(http.User.UserId(), userId) is { } error ? error.ToProblem() : Results.NoContent();

    static GroupDto ToDto(GroupInfo info, IReadOnlyList<GroupMemberDto>? members) => new(
        info.Id, info.Name, info.Description, info.IconUrl, info.OwnerId, info.MemberCount, ConversationIds.Group(info.Id), members);
}
