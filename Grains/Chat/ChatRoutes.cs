namespace GoChat.Grains.Chat;

/// <summary>
/// Publishing to delivery routes (<see cref="IChatRouteGrain"/>): one per user (direct messages,
/// own events), one per group, and the ginchat broadcast route. Publishing is one one-way grain
/// call; the route grain forwards to the WebFronts that hold the recipients' connections.
/// </summary>
public static class ChatRoutes
{
    public const string Broadcast = "broadcast";

    public static string ForUser(long userId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"user/{userId}");

    public static string ForGroup(long groupId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"group/{groupId}");

    public static Task ToUser(this IGrainFactory grains, long userId, ChatEvent chatEvent) =>
        grains.GetGrain<IChatRouteGrain>(ForUser(userId)).Deliver(chatEvent);

    public static Task ToGroup(this IGrainFactory grains, long groupId, ChatEvent chatEvent) =>
        grains.GetGrain<IChatRouteGrain>(ForGroup(groupId)).Deliver(chatEvent);

    public static Task ToBroadcast(this IGrainFactory grains, ChatEvent chatEvent) =>
        grains.GetGrain<IChatRouteGrain>(Broadcast).Deliver(chatEvent);
}
