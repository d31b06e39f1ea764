using System.Diagnostics;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using GoChat.Grains.Chat;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// The delivery routes this WebFront needs, as one subscriber (<see cref="SubscriberName"/>) of
/// their route grains: for each route, its local members (hub connections, listeners), whether it
/// is attached, and a lock. A route is attached with its first member and detached and retired
/// with its last. It is also the receiving end: the route grains call <see cref="Receive"/>, which
/// hands each event to the hub's connections (<see cref="HubDispatch"/>) and the route's listeners.
/// Locking is per route: connects and disconnects of different users never wait for each other.
/// </summary>
internal sealed class RouteTable : IChatReceiver, ILocalChatReceiver
{
    public const string Name = "webfront";

    readonly IClusterClient _cluster;
    readonly HubDispatch _hub;
    readonly ILogger<RouteTable> _logger;
    readonly DeliveryMetrics _metrics;
    readonly RouteSubscriber _subscriber;
    readonly IChatReceiver _self;
    readonly ConcurrentDictionary<RouteKey, Route> _routes = new();

    public RouteTable(IClusterClient cluster, ILocalSiloDetails silo, HubDispatch hub, DeliveryMetrics metrics, ILogger<RouteTable> logger)
    {
        _metrics = metrics;
        _cluster = cluster;
        _hub = hub;
        _logger = logger;
        _subscriber = new RouteSubscriber(silo.SiloAddress, Name);
        _self = cluster.CreateObjectReference<IChatReceiver>(this);
    }

    public string SubscriberName => Name;

    /// <summary>One route's local members: SignalR connection ids and listeners. Guarded by <see cref="Lock"/>.</summary>
    public sealed class Route(RouteKey key)
    {
        public readonly RouteKey Key = key;
        public readonly SemaphoreSlim Lock = new(1, 1);
        public readonly HashSet<string> Connections = [];
        public ImmutableArray<Func<ChatEvent, Task>> Listeners = [];
        public bool Attached;
        public bool Retired;
        /// <summary>When it was attached (a <see cref="Stopwatch"/> timestamp).</summary>
        public long AttachedAt;
        /// <summary>When it last delivered a <see cref="TokensRevoked"/> or a <see cref="Resync"/> (a <see cref="Stopwatch"/> timestamp).</summary>
        public long RevocationHeardAt;

        public bool Empty => Connections.Count == 0 && Listeners.IsEmpty;
    }

    public bool Has(RouteKey key) => _routes.ContainsKey(key);

    /// <summary>
    /// Whether a listener just added to the route can have missed no revocation published after
    /// <paramref name="timestamp"/>: the route has been attached since before it (so its route grain
    /// forwarded everything published later), and has delivered no <see cref="TokensRevoked"/> and no
    /// <see cref="Resync"/> since (<see cref="Deliver"/> stamps them before reading the listeners, so
    /// one delivered while the listener was being added is either heard by it or seen here).
    /// </summary>
    public bool NoRevocationSince(RouteKey key, long timestamp) =>
        _routes.TryGetValue(key, out var route) && route.Attached && !route.Retired
        && Interlocked.Read(ref route.AttachedAt) < timestamp && Interlocked.Read(ref route.RevocationHeardAt) < timestamp;

    /// <summary>Adds a member to a route, attaching it first when it is new.</summary>
    public async Task AddMember(RouteKey key, Action<Route> add)
    {
        var route = await LockAsync(key);
        try
        {
            await EnsureAttached(route);
            add(route);
        }
        finally
        {
            await UnlockAsync(route);
        }
    }

    /// <summary>Removes a member from a route; the route is detached when it was the last.</summary>
    public async Task RemoveMember(RouteKey key, Action<Route> remove)
    {
        if (!_routes.ContainsKey(key)) return;
        var route = await LockAsync(key);
        try
        {
            remove(route);
        }
        finally
        {
            await UnlockAsync(route);
        }
    }

    /// <summary>The live route for a key, locked. A route retired while we waited for its lock is replaced.</summary>
    public async Task<Route> LockAsync(RouteKey key)
    {
        while (true)
        {
            var route = _routes.GetOrAdd(key, k => new Route(k));
            await route.Lock.WaitAsync();
            if (!route.Retired) return route;
            route.Lock.Release();
        }
    }

    /// <summary>Unlocks a route; one left without members is detached and retired first.</summary>
    public async Task UnlockAsync(Route route)
    {
        try
        {
            if (!route.Empty) return;
            route.Retired = true;
            _routes.TryRemove(new KeyValuePair<RouteKey, Route>(route.Key, route));
            if (route.Attached)
            {
                route.Attached = false;
                _metrics.Detached();
                try
                {
                    await _cluster.Route(route.Key).Detach(_subscriber);
                }
                catch (Exception e)
                {
                    DeliveryLog.DetachFailed(_logger, e, route.Key);
                }
            }
        }
        finally
        {
            route.Lock.Release();
        }
    }

    /// <summary>Called with the route locked.</summary>
    public async Task EnsureAttached(Route route)
    {
        if (route.Attached) return;
        await _cluster.Route(route.Key).Attach(_subscriber, _self);
        Interlocked.Exchange(ref route.AttachedAt, Stopwatch.GetTimestamp());
        route.Attached = true;
        _metrics.Attached();
    }

    /// <summary>
    /// Attaches every live route again (route grains keep attachments in memory only) and runs
    /// <paramref name="then"/> on it under its lock. Returns how many. A route that had forgotten
    /// this WebFront may have dropped events meanwhile: its members are told to resync.
    /// </summary>
    public async Task<int> ReattachAll(Func<Route, Task> then, CancellationToken ct)
    {
        var count = 0;
        foreach (var key in _routes.Keys)
        {
            if (ct.IsCancellationRequested) break;
            if (!_routes.TryGetValue(key, out var route)) continue;
            // Under the route's lock: a member cannot leave between the attach and what follows.
            await route.Lock.WaitAsync(ct);
            try
            {
                if (route.Retired || !route.Attached) continue;
                await Reattach(route);
                await then(route);
                count++;
            }
            finally
            {
                route.Lock.Release();
            }
        }
        return count;
    }

    async Task Reattach(Route route)
    {
        try
        {
            if (await _cluster.Route(route.Key).Attach(_subscriber, _self)) return;
            DeliveryLog.RouteForgotUs(_logger, route.Key);
            Deliver(route.Key, new Resync(route.Key.Kind == RouteKind.Group ? ConversationIds.Group(route.Key.Id) : null), route);
        }
        catch (Exception e)
        {
            DeliveryLog.ReattachFailed(_logger, e, route.Key);
        }
    }

    /// <summary>
    /// Called by the route grains, through the runtime or (a route grain on this silo) directly:
    /// one event at a time per route, in the order the route forwarded them; different routes may
    /// call at once. It starts the sends and returns without waiting for them, so one slow
    /// connection or listener never holds up the others.
    /// </summary>
    public Task Receive(RouteKey route, ChatEvent chatEvent)
    {
        try
        {
            Deliver(route, chatEvent, _routes.GetValueOrDefault(route));
        }
        catch (Exception e)
        {
            DeliveryLog.ReceiveFailed(_logger, e, chatEvent.GetType().Name, route);
        }
        return Task.CompletedTask;
    }

    void Deliver(RouteKey key, ChatEvent chatEvent, Route? local)
    {
        _hub.Send(key, chatEvent);
        if (local is null) return;
        // A full fence before the listeners are read: see NoRevocationSince.
        if (chatEvent is TokensRevoked or Resync) Interlocked.Exchange(ref local.RevocationHeardAt, Stopwatch.GetTimestamp());
        foreach (var listener in local.Listeners) _hub.Watch(listener(chatEvent), chatEvent);
    }
}
