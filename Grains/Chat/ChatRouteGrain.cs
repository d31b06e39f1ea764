using Orleans.Runtime;

namespace GoChat.Grains.Chat;

/// <summary>
/// A delivery route (see <see cref="IChatRouteGrain"/>): the WebFronts attached to it, in memory.
/// Not reentrant, and no turn awaits anything: attach, detach and deliver apply one at a time.
/// WebFronts that cluster membership no longer shows alive are dropped at the next delivery.
/// </summary>
public sealed class ChatRouteGrain(IClusterMembershipService membership) : Grain, IChatRouteGrain
{
    readonly Dictionary<SiloAddress, IChatReceiver> _receivers = [];

    string Route => this.GetPrimaryKeyString();

    public Task Attach(SiloAddress silo, IChatReceiver receiver)
    {
        _receivers[silo] = receiver;
        return Task.CompletedTask;
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
            else
                _ = receiver.Receive(Route, chatEvent); // one-way: completes at once
        }
        if (gone is not null) foreach (var silo in gone) _receivers.Remove(silo);
        return Task.CompletedTask;
    }
}
