using System.Collections.Concurrent;
using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// The hub connections of this WebFront: each is a member of its user's route and of the route of
/// every group its user belongs to (and of that group's SignalR group "g:{id}"), and its user is
/// reported connected here to the user grain (presence) while the user has any. Group joins and
/// leaves (<see cref="MembershipChanged"/>) and revoked tokens (<see cref="TokensRevoked"/>) arrive
/// on the user's route, heard by one listener per user with connections here. A connection is
/// closed when its token is revoked: the user route holds the user's current token version, read
/// from the user grain with the first connection (after attaching, so no later revocation is
/// missed), kept by the revocations the route delivers and read again when the route may have
/// dropped one (<see cref="Resync"/>); the user's further connections cost no grain call.
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
    readonly ConcurrentDictionary<long, Func<ChatEvent, Task>> _userListeners = new();
    readonly ConcurrentDictionary<string, Connection> _connections = new();

    /// <summary>A hub connection: the token version it was opened with, how to close it, its groups (guarded by its user route's lock).</summary>
    sealed class Connection(int tokenVersion, Action close)
    {
        public readonly int TokenVersion = tokenVersion;
        public readonly Action Close = close;
        public readonly HashSet<long> Groups = [];
        public bool Closed;
    }

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
    }

    /// <summary>
    /// Registers a hub connection opened with a token of version <paramref name="tokenVersion"/>; false,
    /// registering nothing, when that token was revoked meanwhile. <paramref name="close"/> is called when it is revoked later.
    /// </summary>
    public async Task<bool> Connected(long userId, string connectionId, int tokenVersion, Action close)
    {
        var memberOf = await _groups.GroupsOf(userId);
        var route = await _routes.LockAsync(RouteKey.ForUser(userId));
        try
        {
            await _routes.EnsureAttached(route);
            var first = route.Connections.Count == 0;
            if (first) route.TokenVersion = await StartListening(route, userId);
            // Refused only when older than the route knows: a newer token was just checked with the
            // user grain at sign-in, and its revocation of the older ones is on its way here.
            if (route.TokenVersion is not { } current || tokenVersion < current)
            {
                if (first) await StopListening(route, userId);
                return false;
            }
            route.TokenVersion = tokenVersion;
            if (route.Connections.Add(connectionId)) _metrics.Connected();
            _connections[connectionId] = new Connection(tokenVersion, close);
            await _hub.Groups.AddToGroupAsync(connectionId, HubDispatch.UserGroupName(userId));
            foreach (var groupId in memberOf) await JoinGroup(connectionId, groupId);
            return true;
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
    }

    /// <summary>The user's first connection here: listens to the user route, reports the user connected, and returns the current token version (null: the account is closed).</summary>
    async Task<int?> StartListening(RouteTable.Route route, long userId)
    {
        var listener = _userListeners.GetOrAdd(userId, id => e => OnUserEvent(id, e));
        route.Listeners = route.Listeners.Add(listener);
        try
        {
            return await User(userId).SetConnected(_silo.SiloAddress, connected: true);
        }
        catch
        {
            route.Listeners = route.Listeners.Remove(listener);
            _userListeners.TryRemove(userId, out _);
            throw;
        }
    }

    /// <summary>The user's last connection here has gone.</summary>
    async Task StopListening(RouteTable.Route route, long userId)
    {
        if (_userListeners.TryRemove(userId, out var listener)) route.Listeners = route.Listeners.Remove(listener);
        await User(userId).SetConnected(_silo.SiloAddress, connected: false);
    }

    public async Task Disconnected(long userId, string connectionId)
    {
        var route = await _routes.LockAsync(RouteKey.ForUser(userId));
        try
        {
            if (_connections.TryRemove(connectionId, out var connection))
                foreach (var groupId in connection.Groups) await LeaveGroup(connectionId, groupId);
            var removed = route.Connections.Remove(connectionId);
            if (removed) _metrics.Disconnected();
            if (removed && route.Connections.Count == 0) await StopListening(route, userId);
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
    }

    /// <summary>
    /// Reports a user route's user connected here again (called by the lease with the route locked):
    /// user grains keep presence in memory, so one rebuilt after its silo died would show the user
    /// offline. Idempotent: the grain keeps a set of WebFronts, not a count.
    /// </summary>
    public async Task ReportPresence(RouteTable.Route route)
    {
        if (route.Key.Kind != RouteKind.User || route.Connections.Count == 0) return;
        try
        {
            await User(route.Key.Id).SetConnected(_silo.SiloAddress, connected: true);
        }
        catch (Exception e)
        {
            DeliveryLog.PresenceReportFailed(_logger, e, route.Key.Id);
        }
    }

    /// <summary>Called with the user's route locked (it guards the user's connections' group sets).</summary>
    async Task JoinGroup(string connectionId, long groupId)
    {
        if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Groups.Add(groupId)) return;
        await _hub.Groups.AddToGroupAsync(connectionId, HubDispatch.GroupName(groupId));
        await _routes.AddMember(RouteKey.ForGroup(groupId), route => route.Connections.Add(connectionId));
    }

    /// <summary>Called with the user's route locked.</summary>
    async Task LeaveGroup(string connectionId, long groupId)
    {
        await _hub.Groups.RemoveFromGroupAsync(connectionId, HubDispatch.GroupName(groupId));
        await _routes.RemoveMember(RouteKey.ForGroup(groupId), route => route.Connections.Remove(connectionId));
    }

    Task OnUserEvent(long userId, ChatEvent e) => e switch
    {
        MembershipChanged changed => OnMembershipChanged(changed),
        TokensRevoked revoked => CloseRevoked(userId, revoked.TokenVersion),
        Resync => CheckTokens(userId),
        _ => Task.CompletedTask,
    };

    /// <summary>Closes the user's connections opened with a token older than <paramref name="tokenVersion"/> (null: the account is closed, all of them).</summary>
    async Task CloseRevoked(long userId, int? tokenVersion)
    {
        var key = RouteKey.ForUser(userId);
        if (!_routes.Has(key)) return;
        var route = await _routes.LockAsync(key);
        try
        {
            route.TokenVersion = tokenVersion is { } version ? Math.Max(version, route.TokenVersion ?? version) : null;
            foreach (var connectionId in route.Connections)
                if (_connections.TryGetValue(connectionId, out var connection) && !connection.Closed
                    && (route.TokenVersion is not { } current || connection.TokenVersion < current))
                {
                    connection.Closed = true;
                    DeliveryLog.ClosingRevokedSession(_logger, userId);
                    connection.Close();
                }
        }
        finally
        {
            await _routes.UnlockAsync(route);
        }
    }

    /// <summary>The user route may have dropped a revocation (it had forgotten this WebFront): asks the user grain.</summary>
    async Task CheckTokens(long userId)
    {
        try
        {
            await CloseRevoked(userId, await User(userId).GetTokenVersion());
        }
        catch (Exception e)
        {
            DeliveryLog.TokenCheckFailed(_logger, e, userId);
        }
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
                else if (_connections.TryGetValue(connectionId, out var connection) && connection.Groups.Remove(change.GroupId))
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

    IUserGrain User(long userId) => _cluster.GetGrain<IUserGrain>(userId);
}
