using GoChat.Grains.Users;

namespace GoChat.WebFront.Apis;

/// <summary>Renders users as others see them, with presence from their user grains.</summary>
internal sealed class UserViews(IGrainFactory grains)
{
    public async Task<UserDto> Render(UserProfile user) => UserDto.From(user, await grains.GetGrain<IUserGrain>(user.Id).IsOnline());

    public async Task<UserDto[]> Render(IEnumerable<UserProfile> users) => await Task.WhenAll(users.Select(Render));
}
