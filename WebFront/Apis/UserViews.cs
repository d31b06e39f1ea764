using GoChat.Grains.Users;

namespace GoChat.WebFront.Apis;

/// <summary>Renders users as others see them, with presence from their user grains.</summary>
internal sealed class UserViews(IGrainFactory grains)
{
    public async Task<UserDto> Render(UserProfile user) => UserDto.From(user, await grains.GetGrain<IUserGrain>(user.Id).IsOnline());

    public async Task<UserDto[]> Render(IEnumerable<UserProfile> users) => await Task.WhenAll(users.Select(Render));

    /// <summary>A live account, or "Deleted user" for an account its owner deleted; null when there is no such account.</summary>
    public async Task<UserDto?> RenderById(long userId)
    {
        var user = grains.GetGrain<IUserGrain>(userId);
        if (await user.GetProfile() is { } profile) return await Render(profile);
        return await user.IsClosed() ? UserDto.From(UserProfile.Deleted(userId), online: false) : null;
    }
}
