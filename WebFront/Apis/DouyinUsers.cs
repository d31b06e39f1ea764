using GoChat.Grains.Social;
using GoChat.Grains.Users;

namespace GoChat.WebFront.Apis;

/// <summary>
/// Renders douyin user objects: profile and counters from each user's grain (held in memory there,
/// fetched for all distinct users at once), is_follow for the viewer from one query.
/// </summary>
internal sealed class DouyinUsers(FollowStore follows, IGrainFactory grains)
{
    /// <summary>Douyin users for the given ids that are live accounts, in the order given (each id once).</summary>
    public async Task<IReadOnlyList<DouyinUser>> Render(IReadOnlyList<long> userIds, long? viewer, HttpRequest request)
    {
        var byId = await RenderById(userIds, viewer, request);
        return userIds.Distinct().Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public async Task<DouyinUser?> Render(long userId, long? viewer, HttpRequest request) =>
        (await RenderById([userId], viewer, request)).GetValueOrDefault(userId);

    /// <summary>Douyin users by id, for the live accounts among the given ids.</summary>
    public async Task<Dictionary<long, DouyinUser>> RenderById(IEnumerable<long> userIds, long? viewer, HttpRequest request)
    {
        var ids = userIds.Distinct().ToArray();
        var cards = Task.WhenAll(ids.Select(id => grains.GetGrain<IUserGrain>(id).GetCard()));
        var followed = viewer is { } v && ids.Length > 0 ? await follows.FollowedAmong(v, ids) : [];
        var result = new Dictionary<long, DouyinUser>(ids.Length);
        foreach (var card in await cards)
        {
            if (card is not ({ } user, var counters)) continue;
            result[user.Id] = new DouyinUser(user.Id, user.DisplayName, counters.Following, counters.Followers, followed.Contains(user.Id),
                PublicUrls.Absolute(request, user.AvatarUrl), "", user.Signature, counters.FavoritedReceived, counters.Works, counters.FavoritesGiven);
        }
        return result;
    }

    /// <summary>
    /// As <see cref="RenderById"/>, with accounts their owners deleted as "Deleted user" (no counts):
    /// for what such an account left behind (its comments, its videos), which stays.
    /// </summary>
    public async Task<Dictionary<long, DouyinUser>> RenderAuthors(IEnumerable<long> userIds, long? viewer, HttpRequest request)
    {
        var ids = userIds.Distinct().ToArray();
        var result = await RenderById(ids, viewer, request);
        var missing = ids.Where(id => !result.ContainsKey(id)).ToArray();
        var closed = await Task.WhenAll(missing.Select(id => grains.GetGrain<IUserGrain>(id).IsClosed()));
        for (var i = 0; i < missing.Length; i++)
            if (closed[i]) result[missing[i]] = new DouyinUser(missing[i], UserProfile.DeletedName, 0, 0, false, "", "", "", 0, 0, 0);
        return result;
    }
}
