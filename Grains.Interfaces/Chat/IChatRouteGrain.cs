using Orleans.Concurrency;
using Orleans.Runtime;

namespace GoChat.Grains.Chat;

/// <summary>
/// Where one delivery route's events must go. Key: "user/{id}" (a user's direct messages and own
/// events), "group/{id}" (a group's messages) or "broadcast". It holds, in memory only, the
/// WebFronts that currently hold a connection needing the route, and forwards each event to them.
/// WebFronts attach when they gain the first such connection, detach with the last one, and attach
/// again periodically and whenever a silo leaves the cluster, so a route grain lost with its silo
/// is rebuilt. Delivery is the fast path; clients fill gaps from history by seq.
/// </summary>
public interface IChatRouteGrain : IGrainWithStringKey
{
    /// <summary>
    /// The WebFront on <paramref name="silo"/> holds connections of this route (idempotent). Returns
    /// whether the route already held it: false when re-attaching means the route had forgotten it
    /// (its grain was lost or deactivated), so events published meanwhile reached nobody there.
    /// </summary>
    Task<bool> Attach(SiloAddress silo, IChatReceiver receiver);

    /// <summary>The WebFront on <paramref name="silo"/> no longer holds any connection of this route.</summary>
    Task Detach(SiloAddress silo);

    /// <summary>Forwards an event to every attached, live WebFront. One-way: the publisher does not wait.</summary>
    [OneWay]
    Task Deliver(ChatEvent chatEvent);
}

/// <summary>A WebFront's receiving end of delivery routes (a grain observer, one per WebFront).</summary>
public interface IChatReceiver : IGrainObserver
{
    /// <summary>An event for the route named <paramref name="route"/> (see <see cref="IChatRouteGrain"/>).</summary>
    [OneWay]
    Task Receive(string route, ChatEvent chatEvent);
}
