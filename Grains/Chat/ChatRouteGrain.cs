using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace GoChat.Grains.Chat;

/// <summary>
/// A subscriber co-hosted in this process (the WebFront, say), as route grains on the same silo see
/// it: they hand it events with a plain call instead of a message through the runtime (the runtime's
/// path costs two thread hand-offs per event). Registered by the subscriber; a headless silo has none.
/// </summary>
public interface ILocalChatReceiver
{
    /// <summary>The name it attaches under (<see cref="RouteSubscriber.Name"/>).</summary>
    string SubscriberName { get; }

    /// <summary>As <see cref="IChatReceiver.Receive"/>: returns once the sends have started.</summary>
    Task Receive(RouteKey route, ChatEvent chatEvent);
}

/// <summary>
/// A delivery route (see <see cref="IChatRouteGrain"/>): the subscribers attached to it, in memory.
/// Not reentrant, and no turn awaits anything: attach, detach and deliver apply one at a time, so
/// each subscriber receives a route's events in the order they were published.
/// Subscribers on silos that cluster membership no longer shows alive are dropped at the next delivery.
/// </summary>
internal sealed class ChatRouteGrain(IClusterMembershipService membership, ILocalSiloDetails localSilo, IEnumerable<ILocalChatReceiver> locals)
    : Grain, IChatRouteGrain
{
    readonly Dictionary<RouteSubscriber, IChatReceiver> _subscribers = [];
    readonly Dictionary<string, ILocalChatReceiver> _locals = locals.ToDictionary(l => l.SubscriberName);
    RouteKey _route;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RouteKey.TryParse(this.GetPrimaryKeyString(), out _route);
        return Task.CompletedTask;
    }

    public Task<bool> Attach(RouteSubscriber subscriber, IChatReceiver receiver)
    {
        var known = _subscribers.ContainsKey(subscriber);
        _subscribers[subscriber] = receiver;
        return Task.FromResult(known);
    }

    public Task Detach(RouteSubscriber subscriber)
    {
        _subscribers.Remove(subscriber);
        return Task.CompletedTask;
    }

    public Task Deliver(ChatEvent chatEvent)
    {
        List<RouteSubscriber>? gone = null;
        foreach (var (subscriber, receiver) in _subscribers)
        {
            if (membership.CurrentSnapshot.GetSiloStatus(subscriber.Silo) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
                (gone ??= []).Add(subscriber);
            else if (subscriber.Silo.Equals(localSilo.SiloAddress) && _locals.TryGetValue(subscriber.Name, out var local))
                OutsideThisTurn(local, _route, chatEvent);
            else
                _ = receiver.Receive(_route, chatEvent); // one-way: completes at once
        }
        if (gone is not null) foreach (var subscriber in gone) _subscribers.Remove(subscriber);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Calls the local receiver on this thread, but under the default task scheduler: whatever it
    /// awaits (a connection's write lock, a slow flush) resumes on the thread pool, not as more work
    /// of this grain.
    /// </summary>
    static void OutsideThisTurn(ILocalChatReceiver local, RouteKey route, ChatEvent chatEvent) =>
        new Task(static state =>
        {
            var (receiver, key, e) = ((ILocalChatReceiver, RouteKey, ChatEvent))state!;
            _ = receiver.Receive(key, e); // returns once the sends have started
        }, (local, route, chatEvent)).RunSynchronously(TaskScheduler.Default);
}
