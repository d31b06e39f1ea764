using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Apis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// This WebFront's side of delivery. It is one grain observer (<see cref="IChatReceiver"/>) and
/// attaches it to the route grain of every user with a connection here, of every group with a
/// member connected here (whose connections it keeps in a SignalR group "g:{id}", so a group
/// message costs one delivery per WebFront, not one per member), and of the broadcast route while
/// a ginchat broadcast socket is open. A route is detached with the last connection that needed it.
/// Route grains hold attachments in memory only, so <see cref="ChatRouteLease"/> attaches every
/// live route again periodically and whenever a silo leaves the cluster. Delivery is the fast path
/// only: clients recover anything missed (a race with attaching, a lost route grain, a restart)
/// from history by seq.
/// Locking is per route: connects and disconnects of different users never wait for each other.
/// </summary>
public sealed class ChatDelivery : IChatReceiver, ILocalChatReceiver
{
    readonly IClusterClient _cluster;
    readonly IHubContext<ChatHub> _hub;
    readonly GroupStore _groups;
    readonly ConversationViews _views;
    readonly ILocalSiloDetails _silo;
    readonly ILogger<ChatDelivery> _logger;
    readonly IChatReceiver _self;
    readonly ConcurrentDictionary<string, Route> _routes = new();
    readonly ConcurrentDictionary<string, HashSet<long>> _groupsByConnection = new();

    public ChatDelivery(IClusterClient cluster, IHubContext<ChatHub> hub, GroupStore groups, ConversationViews views, ILocalSiloDetails silo, ILogger<ChatDelivery> logger)
    {
        _cluster = cluster;
        _hub = hub;
        _groups = groups;
        _views = views;
        _silo = silo;
        _logger = logger;
        _self = cluster.CreateObjectReference<IChatReceiver>(this);
    }

    public static string GroupName(long groupId) => string.Create(CultureInfo.InvariantCulture, $"g:{groupId}");

    /// <summary>
    /// The SignalR group of one user's connections here. Sending to it costs the user's connections;
    /// Clients.User would compare the user id of every connection of this WebFront, per event.
    /// SignalR drops a closed connection from its groups by itself.
    /// </summary>
    public static string UserGroupName(long userId) => string.Create(CultureInfo.InvariantCulture, $"u:{userId}");

    /// <summary>One route's local members: SignalR connection ids (user and group routes) and listeners (ginchat sockets).</summary>
    sealed class Route(string key)
    {
        public readonly string Key = key;
        public readonly SemaphoreSlim Lock = new(1, 1);
        public readonly HashSet<string> Connections = [];
        public ImmutableArray<Func<ChatEvent, Task>> Listeners = [];
        public bool Attached;
        public bool Retired;

        public bool Empty => Connections.Count == 0 && Listeners.IsEmpty;
    }

    // ---- SignalR connections ----

    public async Task Connected(long userId, string connectionId)
    {
        var memberOf = await _groups.GroupsOf(userId);
        var route = await LockRoute(ChatRoutes.ForUser(userId));
        try
        {
            await EnsureAttached(route);
            route.Connections.Add(connectionId);
            await _hub.Groups.AddToGroupAsync(connectionId, UserGroupName(userId));
            if (route.Connections.Count == 1) await _cluster.GetGrain<IUserGrain>(userId).SetConnected(_silo.SiloAddress, connected: true);
            _groupsByConnection[connectionId] = [];
            foreach (var groupId in memberOf) await JoinGroup(connectionId, groupId);
        }
        finally
        {
            await UnlockRoute(route);
        }
    }

    public async Task Disconnected(long userId, string connectionId)
    {
        var route = await LockRoute(ChatRoutes.ForUser(userId));
        try
        {
            if (_groupsByConnection.TryRemove(connectionId, out var memberOf))
                foreach (var groupId in memberOf) await LeaveGroup(connectionId, groupId);
            if (route.Connections.Remove(connectionId) && route.Connections.Count == 0)
                await _cluster.GetGrain<IUserGrain>(userId).SetConnected(_silo.SiloAddress, connected: false);
        }
        finally
        {
            await UnlockRoute(route);
        }
    }

    /// <summary>Called with the user's route locked (it guards the user's connections' group sets).</summary>
    async Task JoinGroup(string connectionId, long groupId)
    {
        if (!_groupsByConnection.TryGetValue(connectionId, out var memberOf) || !memberOf.Add(groupId)) return;
        await _hub.Groups.AddToGroupAsync(connectionId, GroupName(groupId));
        await AddMember(ChatRoutes.ForGroup(groupId), route => route.Connections.Add(connectionId));
    }

    /// <summary>Called with the user's route locked.</summary>
    async Task LeaveGroup(string connectionId, long groupId)
    {
        await _hub.Groups.RemoveFromGroupAsync(connectionId, GroupName(groupId));
        await RemoveMember(ChatRoutes.ForGroup(groupId), route => route.Connections.Remove(connectionId));
    }

    // ---- listeners (ginchat sockets) ----

    /// <summary>
    /// Calls <paramref name="listener"/> with every event of the given routes until the returned
    /// handle is disposed. Attaching is done when this returns, so nothing published after it is missed.
    /// </summary>
    public async Task<Listening> Listen(IReadOnlyList<string> routes, Func<ChatEvent, Task> listener)
    {
        var handle = new Listening(this, listener);
        try
        {
            foreach (var key in routes.Distinct()) await handle.Add(key);
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }
        return handle;
    }

    /// <summary>One listener's routes; routes can be added and removed while it listens (a group joined or left).</summary>
    public sealed class Listening : IAsyncDisposable
    {
        readonly ChatDelivery _delivery;
        readonly Func<ChatEvent, Task> _listener;
        readonly SemaphoreSlim _lock = new(1, 1);
        readonly HashSet<string> _routes = [];
        bool _disposed;

        internal Listening(ChatDelivery delivery, Func<ChatEvent, Task> listener)
        {
            _delivery = delivery;
            _listener = listener;
        }

        /// <summary>Starts listening to <paramref name="key"/> too (no-op when already listening or disposed).</summary>
        public async Task Add(string key)
        {
            await _lock.WaitAsync();
            try
            {
                if (_disposed || _routes.Contains(key)) return;
                await _delivery.AddMember(key, route => route.Listeners = route.Listeners.Add(_listener));
                _routes.Add(key);
            }
            finally { _lock.Release(); }
        }

        /// <summary>Stops listening to <paramref name="key"/> (no-op when not listening).</summary>
        public async Task Remove(string key)
        {
            await _lock.WaitAsync();
            try
            {
                if (!_routes.Remove(key)) return;
                await _delivery.RemoveMember(key, route => route.Listeners = route.Listeners.Remove(_listener));
            }
            finally { _lock.Release(); }
        }

        public async ValueTask DisposeAsync()
        {
            await _lock.WaitAsync();
            try
            {
                _disposed = true;
                foreach (var key in _routes)
                    await _delivery.RemoveMember(key, route => route.Listeners = route.Listeners.Remove(_listener));
                _routes.Clear();
            }
            finally { _lock.Release(); }
        }
    }

    // ---- routes ----

    async Task AddMember(string key, Action<Route> add)
    {
        var route = await LockRoute(key);
        try
        {
            await EnsureAttached(route);
            add(route);
        }
        finally
        {
            await UnlockRoute(route);
        }
    }

    async Task RemoveMember(string key, Action<Route> remove)
    {
        if (!_routes.TryGetValue(key, out _)) return;
        var route = await LockRoute(key);
        try
        {
            remove(route);
        }
        finally
        {
            await UnlockRoute(route);
        }
    }

    /// <summary>The live route for a key, locked. A route retired while we waited for its lock is replaced.</summary>
    async Task<Route> LockRoute(string key)
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
    async Task UnlockRoute(Route route)
    {
        try
        {
            if (!route.Empty) return;
            route.Retired = true;
            _routes.TryRemove(new KeyValuePair<string, Route>(route.Key, route));
            if (route.Attached)
            {
                route.Attached = false;
                try
                {
                    await _cluster.GetGrain<IChatRouteGrain>(route.Key).Detach(_silo.SiloAddress);
                }
                catch (Exception e)
                {
                    _logger.LogWarning(e, "Detaching from route {Route} failed", route.Key);
                }
            }
        }
        finally
        {
            route.Lock.Release();
        }
    }

    async Task EnsureAttached(Route route)
    {
        if (route.Attached) return;
        await _cluster.GetGrain<IChatRouteGrain>(route.Key).Attach(_silo.SiloAddress, _self);
        route.Attached = true;
    }

    /// <summary>
    /// Attaches every live route again (route grains keep attachments in memory only). Returns how
    /// many. A route that had forgotten this WebFront may have dropped events meanwhile: its
    /// connections are told to resync (<see cref="Resync"/>). The users connected to the hub here
    /// are reported connected again too: user grains keep presence in memory, so one rebuilt after
    /// its silo died would show them offline (reporting is idempotent: the grain keeps a set of WebFronts).
    /// </summary>
    public async Task<int> ReattachAll(CancellationToken ct)
    {
        var count = 0;
        foreach (var key in _routes.Keys)
        {
            if (ct.IsCancellationRequested) break;
            if (!_routes.TryGetValue(key, out var route)) continue;
            // Under the route's lock: a disconnect cannot slip between the check and the report.
            await route.Lock.WaitAsync(ct);
            try
            {
                if (route.Retired || !route.Attached) continue;
                await Reattach(route);
                await ReportPresence(route);
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
            if (!await _cluster.GetGrain<IChatRouteGrain>(route.Key).Attach(_silo.SiloAddress, _self)) Resync(route.Key);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Attaching again to route {Route} failed", route.Key);
        }
    }

    async Task ReportPresence(Route route)
    {
        if (route.Connections.Count == 0 || !route.Key.StartsWith("user/", StringComparison.Ordinal)) return;
        var userId = long.Parse(route.Key.AsSpan(5), CultureInfo.InvariantCulture);
        try
        {
            await _cluster.GetGrain<IUserGrain>(userId).SetConnected(_silo.SiloAddress, connected: true);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Reporting the presence of user {UserId} again failed", userId);
        }
    }

    /// <summary>
    /// Tells a route's SignalR connections that live events may have been missed, so clients Sync
    /// and fetch gaps by seq now rather than at their next event, and its listeners with a "resync"
    /// event (a session then checks whether its token was revoked meanwhile; ginchat sockets have
    /// no way to fetch history and ignore it).
    /// </summary>
    void Resync(string route)
    {
        _logger.LogInformation("Route {Route} had forgotten this WebFront; telling its connections to resync", route);
        if (_routes.TryGetValue(route, out var local))
            foreach (var listener in local.Listeners) Watch(listener(new ChatEvent("resync", "", 0)), route);
        if (route.StartsWith("user/", StringComparison.Ordinal))
            Watch(_hub.Clients.Group(UserGroupName(long.Parse(route.AsSpan(5), CultureInfo.InvariantCulture))).SendAsync("resync", new ResyncEventDto(null)), "resync");
        else if (route.StartsWith("group/", StringComparison.Ordinal))
        {
            var groupId = long.Parse(route.AsSpan(6), CultureInfo.InvariantCulture);
            Watch(_hub.Clients.Group(GroupName(groupId)).SendAsync("resync", new ResyncEventDto(ConversationIds.Group(groupId))), "resync");
        }
    }

    // ---- receiving ----

    /// <summary>
    /// Called by the route grains, through the runtime or (a route grain on this silo) directly:
    /// one event at a time per route, in the order the route forwarded them; different routes may
    /// call at once. It starts the SignalR sends (which queue on each connection in call order) and
    /// returns without waiting for them, so one slow connection never holds up the others.
    /// </summary>
    public Task Receive(string route, ChatEvent chatEvent)
    {
        try
        {
            if (route.StartsWith("user/", StringComparison.Ordinal)) OnUserEvent(long.Parse(route.AsSpan(5), CultureInfo.InvariantCulture), chatEvent);
            else if (route.StartsWith("group/", StringComparison.Ordinal)) OnGroupEvent(long.Parse(route.AsSpan(6), CultureInfo.InvariantCulture), chatEvent);
            if (_routes.TryGetValue(route, out var local))
                foreach (var listener in local.Listeners) Watch(listener(chatEvent), route);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Delivering {Type} on route {Route} failed", chatEvent.Type, route);
        }
        return Task.CompletedTask;
    }

    void OnUserEvent(long userId, ChatEvent e)
    {
        var user = _hub.Clients.Group(UserGroupName(userId));
        switch (e.Type)
        {
            case "message" or "messageUpdated" when e.Message is not null:
                Watch(user.SendAsync(e.Type, MessageDto.From(e.Message)), e.Type);
                break;
            case "read":
                Watch(user.SendAsync("read", new ReadEventDto(e.ConversationId, e.UserId, e.Seq)), e.Type);
                break;
            case "typing":
                Watch(user.SendAsync("typing", new TypingEventDto(e.ConversationId, e.UserId)), e.Type);
                break;
            case "presence":
                Watch(user.SendAsync("presence", new PresenceEventDto(e.UserId, e.Online)), e.Type);
                break;
            case "groupJoined" or "groupLeft":
                Watch(OnMembershipChanged(userId, e), e.Type);
                break;
        }
    }

    void OnGroupEvent(long groupId, ChatEvent e)
    {
        var members = _hub.Clients.Group(GroupName(groupId));
        switch (e.Type)
        {
            case "message" or "messageUpdated" when e.Message is not null:
                Watch(members.SendAsync(e.Type, MessageDto.From(e.Message)), e.Type);
                break;
            case "typing":
                Watch(members.SendAsync("typing", new TypingEventDto(e.ConversationId, e.UserId)), e.Type);
                break;
        }
    }

    async Task OnMembershipChanged(long userId, ChatEvent e)
    {
        if (!_routes.ContainsKey(ChatRoutes.ForUser(userId))) return;
        var route = await LockRoute(ChatRoutes.ForUser(userId));
        try
        {
            foreach (var connectionId in route.Connections.ToList())
            {
                if (e.Type == "groupJoined") await JoinGroup(connectionId, e.GroupId);
                else if (_groupsByConnection.TryGetValue(connectionId, out var memberOf) && memberOf.Remove(e.GroupId))
                    await LeaveGroup(connectionId, e.GroupId);
            }
        }
        finally
        {
            await UnlockRoute(route);
        }
        if (e.Type == "groupJoined" && await _views.Get(e.ConversationId, userId) is { } conversation)
            await _hub.Clients.Group(UserGroupName(userId)).SendAsync("conversationUpdated", conversation);
    }

    void Watch(Task task, string what)
    {
        if (task.IsCompletedSuccessfully) return;
        task.ContinueWith(t => _logger.LogWarning(t.Exception, "Delivering {What} failed", what),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

/// <summary>
/// Keeps this WebFront's routes attached and its users' presence reported: route grains hold
/// attachments, and user grains presence, in memory, so a grain that was deactivated or lost with
/// its silo forgets us. Every few minutes (well inside the grain collection age, which also keeps
/// busy route grains active) and at once whenever a silo leaves the cluster (again when a silo that
/// was stopping is finally dead, as its grains are gone only then), every live route is attached
/// again and every user connected here reported again (<see cref="ChatDelivery.ReattachAll"/>).
/// </summary>
public sealed class ChatRouteLease(ChatDelivery delivery, IClusterMembershipService membership, IOptions<DeliveryOptions> options, ILogger<ChatRouteLease> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.ReattachPeriod;
        var membershipChanged = WatchMembership(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAny(Task.Delay(period, stoppingToken), membershipChanged.WaitAsync(stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (membershipChanged.IsCompleted) membershipChanged = WatchMembership(stoppingToken);
            try
            {
                var count = await delivery.ReattachAll(stoppingToken);
                logger.LogDebug("Attached {Count} delivery routes again", count);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Attaching delivery routes again failed");
            }
        }
    }

    /// <summary>
    /// Completes when a silo that was active leaves the cluster (starts stopping or dies), or one that
    /// was stopping is dead.
    /// </summary>
    async Task WatchMembership(CancellationToken ct)
    {
        static bool Watched(SiloStatus status) => status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping;
        var watched = membership.CurrentSnapshot.Members.Values.Where(m => Watched(m.Status)).ToDictionary(m => m.SiloAddress, m => m.Status);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct))
            {
                if (watched.Any(silo => snapshot.GetSiloStatus(silo.Key) != silo.Value)) return;
                foreach (var member in snapshot.Members.Values.Where(m => Watched(m.Status))) watched[member.SiloAddress] = member.Status;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
