using GoChat.Grains.Social;
using GoChat.Grains.Users;
using GoChat.Grains.Videos;

namespace GoChat.WebFront.Apis;

/// <summary>Renders douyin user objects: counters from the follow graph, is_follow relative to the viewer.</summary>
public sealed class DouyinUsers(FollowStore follows, VideoStore videos, EngagementStore engagement)
{
    public async Task<DouyinUser> Render(UserProfile user, long? viewer, HttpRequest request) =>
        (await Render([user], viewer, request))[0];

    public async Task<IReadOnlyList<DouyinUser>> Render(IReadOnlyList<UserProfile> users, long? viewer, HttpRequest request)
    {
        var followed = viewer is { } v ? await follows.FollowedAmong(v, users.Select(u => u.Id)) : [];
        var result = new List<DouyinUser>(users.Count);
        foreach (var user in users)
        {
            var (following, followers) = await follows.Counts(user.Id);
            var (given, received) = await engagement.UserCounts(user.Id);
            result.Add(new DouyinUser(user.Id, user.DisplayName, following, followers, followed.Contains(user.Id),
                PublicUrls.Absolute(request, user.AvatarUrl), "", user.Signature, received, await videos.CountByAuthor(user.Id), given));
        }
        return result;
    }
}
