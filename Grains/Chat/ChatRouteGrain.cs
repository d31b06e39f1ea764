using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace GoChat.Grains.Chat;

/// <summary>
/// The WebFront co-hosted in this process, as its route grains see it: a route grain activated
/// on the same silo hands it events with a plain call instead of a message through the runtime
/// (the runtime's path costs two thread hand-offs per event). Registered by that WebFront; a
/// headless silo has none.
/// </summary>
public interface ILocalChatReceiver
{
    /// <summary>As <see cref="IChatReceiver.Receive"/>: returns once the sends have started.</summary>
    Task Receive(string route, ChatEvent chatEvent);
}

/// <summary>
/// A delivery route (see <see cref="IChatRouteGrain"/>): the WebFronts attached to it, in memory.
/// Not reentrant, and no turn awaits anything: attach, detach and deliver apply one at a time, so
/// each WebFront receives a route's events in the order they were published.
/// WebFronts that cluster membership no longer shows alive are dropped at the next delivery.
/// </summary>
public sealed class ChatRouteGrain(IClusterMembershipService membership, ILocalSiloDetails localSilo, IServiceProvider services)
    : Grain, IChatRouteGrain
{
    readonly Dictionary<SiloAddress, IChatReceiver> _receivers = [];
    readonly ILocalChatReceiver? _local = services.GetService<ILocalChatReceiver>();

    string Route => this.GetPrimaryKeyString();

    public Task<bool> Attach(SiloAddress silo, IChatReceiver receiver)
    {
        var known = _receivers.ContainsKey(silo);
        _receivers[silo] = receiver;
        return Task.FromResult(known);
    }

    public Task Detach(SiloAddress silo)
    {
        _receivers.Remove(silo);
        return Task.CompletedTask;
    }

    public Task Deliver(ChatEvent chatEvent)
    {
        List<SiloAddress>? gone = null;
        foreach (var (silo, receiver) in _receivers)
        {
            if (membership.CurrentSnapshot.GetSiloStatus(silo) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
                (gone ??= []).Add(silo);
            else if (_local is not null && silo.Equals(localSilo.SiloAddress))
                OutsideThisTurn(_local, Route, chatEvent);
            else
                _ = receiver.Receive(Route, chatEvent); // one-way: completes at once
        }
        if (gone is not null) foreach (var silo in gone) _receivers.Remove(silo);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Calls the local receiver on this thread, but under the default task scheduler: whatever it
    /// awaits (a connection's write lock, a slow flush) resumes on the thread pool, not as more work
    /// of this grain.
    /// </summary>
    static void OutsideThisTurn(ILocalChatReceiver local, string route, ChatEvent chatEvent) =>
        new Task(static state =>
        {
            var (receiver, key, e) = ((ILocalChatReceiver, string, ChatEvent))state!;
            _ = receiver.Receive(key, e); // returns once the sends have started
        }, (local, route, chatEvent)).RunSynchronously(TaskScheduler.Default);
}
