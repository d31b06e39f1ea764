using Orleans.Concurrency;
using Orleans.Runtime;

namespace GoChat.Grains.Chat;

/// <summary>
/// Where one delivery route's events must go (key: <see cref="RouteKey"/> as text). It holds, in
/// memory only, the subscribers that currently need the route (a WebFront holding a connection of
/// it; later a bot host or a call service) and forwards each event to them. Subscribers attach when
/// they gain the first need for the route, detach with the last, and attach again periodically and
/// whenever a silo leaves the cluster, so a route grain lost with its silo is rebuilt. Delivery is
/// the fast path; clients fill gaps from history by seq.
/// </summary>
public interface IChatRouteGrain : IGrainWithStringKey
{
    /// <summary>
    /// <paramref name="subscriber"/> needs this route (idempotent). Returns whether the route already
    /// held it: false when attaching again means the route had forgotten it (its grain was lost or
    /// deactivated), so events published meanwhile reached nobody there.
    /// </summary>
    Task<bool> Attach(RouteSubscriber subscriber, IChatReceiver receiver);

    /// <summary><paramref name="subscriber"/> no longer needs this route.</summary>
    Task Detach(RouteSubscriber subscriber);

    /// <summary>Forwards an event to every attached, live subscriber. One-way: the publisher does not wait.</summary>
    [OneWay]
    Task Deliver(ChatEvent chatEvent);
}

/// <summary>
/// One receiver of delivery routes: the silo it runs on (so a route drops it when that silo dies)
/// and its name there ("webfront", ...), so several receivers on one silo attach and detach independently.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RouteSubscriber(SiloAddress Silo, string Name);

/// <summary>A subscriber's receiving end of delivery routes (a grain observer).</summary>
public interface IChatReceiver : IGrainObserver
{
    /// <summary>An event of <paramref name="route"/>, in the order the route forwarded them.</summary>
    [OneWay]
    Task Receive(RouteKey route, ChatEvent chatEvent);
}
