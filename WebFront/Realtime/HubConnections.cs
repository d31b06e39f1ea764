using System.Collections.Concurrent;
using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// The hub connections of this WebFront: each is a member of its user's route and of the route of
/// every group its user belongs to (and of that group's SignalR group "g:{id}"), and its user is
/// counted by the user grain (presence, and the limit on connections per account). ginchat sockets
/// are counted the same way (<see cref="SocketOpened"/>), without the SignalR groups. Group joins and
/// leaves arrive as <see cref="MembershipChanged"/> on the user's route, heard by a listener this
/// class keeps on every user route with connections.
/// </summary>
internal sealed class HubConnections
{
    readonly RouteTable _routes;
    readonly IHubContext<ChatHub, IChatClient> _hub;
    readonly GroupStore _groups;
    readonly ConversationViews _views;
    readonly IClusterClient _cluster;
    readonly ILocalSiloDetails _silo;
    readonly ILogger<HubConnections> _logger;
    readonly DeliveryMetrics _metrics;
    readonly Func<ChatEvent, Task> _membershipListener;
    readonly ConcurrentDictionary<string, HashSet<long>> _groupsByConnection = new();

    public HubConnections(RouteTable routes, IHubContext<ChatHub, IChatClient> hub, GroupStore groups, ConversationViews views,
        IClusterClient cluster, ILocalSiloDetails silo, DeliveryMetrics metrics, ILogger<HubConnections> logger)
    {
        _metrics = metrics;
        _routes = routes;
        _hub = hub;
        _groups = groups;
        _views = views;
        _cluster = cluster;
        _silo = silo;
        _logger = logger;
        _membershipListener = e => e is MembershipChanged changed ? OnMembershipChanged(changed) : Task.CompletedTask;
    }

    /// <summary>
    /// Registers a new connection, or refuses it (registering nothing) when its account holds as many
    /// as it may. One that fails half-way is undone by <see cref="Disconnected"/>.
    /// </summary>
    public async Task<DomainError?> Connected(long userId, string connectionId)
    {
        var memberOf = await _groups.GroupsOf(userId);
        var route = await _routes.LockAsync(RouteKey.ForUser(userId));
        try
        {
            if (await Count(route, connectionId) is { } refused) return refused;
            _metrics.Connected();
            await _hub.Groups.AddToGroupAsync(connectionId, HubDispatch.UserGroupName(userId));
            _groupsByConnection[connectionId] = [];
            foreach (var groupId in memberOf) await JoinGroup(connectionId, groupId);
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
        return null;
    }

    public async Task Disconnected(long userId, string connectionId)
    {
        var route = await _routes.LockAsync(RouteKey.ForUser(userId));
        try
        {
            if (_groupsByConnection.TryRemove(connectionId, out var memberOf))
                foreach (var groupId in memberOf) await LeaveGroup(connectionId, groupId);
            if (!await Uncount(route, connectionId)) return;
            _metrics.Disconnected();
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
    }

    /// <summary>
    /// Counts a ginchat socket as one of its user's connections, or refuses it when the account holds
    /// as many as it may: the same limit, presence and lease report as a hub connection, so sockets
    /// cannot be opened without bound. It joins no SignalR group (it listens on routes itself).
    /// </summary>
    public async Task<DomainError?> SocketOpened(long userId, string socketId)
    {
        var route = await _routes.LockAsync(RouteKey.ForUser(userId));
        try
        {
            return await Count(route, socketId);
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
    }

    /// <summary>
    /// Uncounts a ginchat socket as it ends. When the user grain cannot be reached the local count is
    /// still right, and the lease's next report (<see cref="ReportPresence"/>) sets the grain's.
    /// </summary>
    public async Task SocketClosed(long userId, string socketId)
    {
        var route = await _routes.LockAsync(RouteKey.ForUser(userId));
        try
        {
            await Uncount(route, socketId);
        }
        catch (Exception e)
        {
            DeliveryLog.PresenceReportFailed(_logger, e, userId);
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
    }

    /// <summary>
    /// Called with the user's route locked: the user grain counts the connection (or refuses it, and
    /// nothing is registered), the route holds it and stays attached, and the first one brings the
    /// membership listener.
    /// </summary>
    async Task<DomainError?> Count(RouteTable.Route route, string connectionId)
    {
        if (await User(route.Key.Id).Connect(_silo.SiloAddress) is { } refused) return refused;
        route.Connections.Add(connectionId);
        await _routes.EnsureAttached(route);
        if (route.Connections.Count == 1) route.Listeners = route.Listeners.Add(_membershipListener);
        return null;
    }

    /// <summary>Called with the user's route locked; false when the connection was not counted here.</summary>
    async Task<bool> Uncount(RouteTable.Route route, string connectionId)
    {
        if (!route.Connections.Remove(connectionId)) return false;
        if (route.Connections.Count == 0) route.Listeners = route.Listeners.Remove(_membershipListener);
        await User(route.Key.Id).Disconnect(_silo.SiloAddress);
        return true;
    }

    /// <summary>
    /// Reports how many connections of a user route's user are here (called by the lease with the
    /// route locked): user grains keep the count in memory, so one rebuilt after its silo died would
    /// show the user offline. Idempotent: the grain keeps a count per WebFront, and this sets ours.
    /// </summary>
    public async Task ReportPresence(RouteTable.Route route)
    {
        if (route.Key.Kind != RouteKind.User || route.Connections.Count == 0) return;
        try
        {
            await User(route.Key.Id).ReportConnections(_silo.SiloAddress, route.Connections.Count);
        }
        catch (Exception e)
        {
            DeliveryLog.PresenceReportFailed(_logger, e, route.Key.Id);
        }
    }

    /// <summary>Called with the user's route locked (it guards the user's connections' group sets).</summary>
    async Task JoinGroup(string connectionId, long groupId)
    {
        if (!_groupsByConnection.TryGetValue(connectionId, out var memberOf) || !memberOf.Add(groupId)) return;
        await _hub.Groups.AddToGroupAsync(connectionId, HubDispatch.GroupName(groupId));
        await _routes.AddMember(RouteKey.ForGroup(groupId), route => route.Connections.Add(connectionId));
    }

    /// <summary>Called with the user's route locked.</summary>
    async Task LeaveGroup(string connectionId, long groupId)
    {
        await _hub.Groups.RemoveFromGroupAsync(connectionId, HubDispatch.GroupName(groupId));
        await _routes.RemoveMember(RouteKey.ForGroup(groupId), route => route.Connections.Remove(connectionId));
    }

    async Task OnMembershipChanged(MembershipChanged change)
    {
        var key = RouteKey.ForUser(change.UserId);
        if (!_routes.Has(key)) return;
        var route = await _routes.LockAsync(key);
        try
        {
            foreach (var connectionId in route.Connections.ToList())
            {
                if (change.Joined) await JoinGroup(connectionId, change.GroupId);
                else if (_groupsByConnection.TryGetValue(connectionId, out var memberOf) && memberOf.Remove(change.GroupId))
                    await LeaveGroup(connectionId, change.GroupId);
            }
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
        if (change.Joined && await _views.Get(change.ConversationId, change.UserId) is { } conversation)
            await _hub.Clients.Group(HubDispatch.UserGroupName(change.UserId)).ConversationUpdated(conversation);
    }

    IUserConnections User(long userId) => _cluster.GetGrain<IUserConnections>(userId);
}
