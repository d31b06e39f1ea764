namespace GoChat.Grains.Chat;

/// <summary>
/// Publishing to delivery routes (<see cref="IChatRouteGrain"/>): one one-way grain call; the route
/// grain forwards to the subscribers that hold the recipients' connections.
/// </summary>
public static class ChatRoutes
{
    public static IChatRouteGrain Route(this IGrainFactory grains, RouteKey route) => grains.GetGrain<IChatRouteGrain>(route.ToString());

    public static Task ToUser(this IGrainFactory grains, long userId, ChatEvent chatEvent) =>
        grains.Route(RouteKey.ForUser(userId)).Deliver(chatEvent);

    public static Task ToGroup(this IGrainFactory grains, long groupId, ChatEvent chatEvent) =>
        grains.Route(RouteKey.ForGroup(groupId)).Deliver(chatEvent);

    public static Task ToBroadcast(this IGrainFactory grains, ChatEvent chatEvent) =>
        grains.Route(RouteKey.Broadcast).Deliver(chatEvent);
}
