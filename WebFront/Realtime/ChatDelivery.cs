using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Apis;
using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// This WebFront's side of delivery. For every user with a connection here it subscribes to that
/// user's stream; for every group with a member connected here it subscribes once to the group's
/// stream and keeps the members' connections in a SignalR group "g:{id}", so a group message costs
/// one stream delivery per WebFront, not one per member. Subscriptions end with the last
/// connection that needed them. Streams are the fast path only: clients recover anything missed
/// (a race with a subscription, a WebFront restart) from history by seq.
/// </summary>
public sealed class ChatDelivery(
    IClusterClient cluster, IHubContext<ChatHub> hub, GroupStore groups, ConversationViews views, ILocalSiloDetails silo, ILogger<ChatDelivery> logger)
{
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly Dictionary<long, HashSet<string>> _connectionsByUser = [];
    readonly Dictionary<string, HashSet<long>> _groupsByConnection = [];
    readonly Dictionary<long, StreamSubscriptionHandle<ChatEvent>> _userSubscriptions = [];
    readonly Dictionary<long, (int Connections, StreamSubscriptionHandle<ChatEvent> Handle)> _groupSubscriptions = [];

    public static string GroupName(long groupId) => $"g:{groupId}";

    public async Task Connected(long userId, string connectionId)
    {
        var memberOf = await groups.GroupsOf(userId);
        await _lock.WaitAsync();
        try
        {
            if (!_connectionsByUser.TryGetValue(userId, out var connections))
            {
                _connectionsByUser[userId] = connections = [];
                _userSubscriptions[userId] = await Stream(ChatStreams.ForUser(userId))
                    .SubscribeAsync((e, _) => OnUserEvent(userId, e));
                await cluster.GetGrain<IUserGrain>(userId).SetConnected(silo.SiloAddress, connected: true);
            }
            connections.Add(connectionId);
            _groupsByConnection[connectionId] = [];
            foreach (var groupId in memberOf) await JoinGroupLocked(connectionId, groupId);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task Disconnected(long userId, string connectionId)
    {
        await _lock.WaitAsync();
        try
        {
            if (_groupsByConnection.Remove(connectionId, out var memberOf))
                foreach (var groupId in memberOf) await LeaveGroupLocked(connectionId, groupId, removeFromSet: false);
            if (_connectionsByUser.TryGetValue(userId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            {
                _connectionsByUser.Remove(userId);
                if (_userSubscriptions.Remove(userId, out var handle)) await Unsubscribe(handle);
                await cluster.GetGrain<IUserGrain>(userId).SetConnected(silo.SiloAddress, connected: false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    async Task OnUserEvent(long userId, ChatEvent e)
    {
        var user = hub.Clients.User(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        switch (e.Type)
        {
            case "message" or "messageUpdated" when e.Message is not null:
                await user.SendAsync(e.Type, MessageDto.From(e.Message));
                break;
            case "read":
                await user.SendAsync("read", new ReadEventDto(e.ConversationId, e.UserId, e.Seq));
                break;
            case "typing":
                await user.SendAsync("typing", new TypingEventDto(e.ConversationId, e.UserId));
                break;
            case "presence":
                await user.SendAsync("presence", new PresenceEventDto(e.UserId, e.Online));
                break;
            case "groupJoined" or "groupLeft":
                await OnMembershipChanged(userId, e);
                break;
        }
    }

    async Task OnMembershipChanged(long userId, ChatEvent e)
    {
        await _lock.WaitAsync();
        try
        {
            if (!_connectionsByUser.TryGetValue(userId, out var connections)) return;
            foreach (var connectionId in connections.ToList())
            {
                if (e.Type == "groupJoined") await JoinGroupLocked(connectionId, e.GroupId);
                else await LeaveGroupLocked(connectionId, e.GroupId, removeFromSet: true);
            }
        }
        finally
        {
            _lock.Release();
        }
        if (e.Type == "groupJoined" && await views.Get(e.ConversationId, userId) is { } conversation)
            await hub.Clients.User(userId.ToString(System.Globalization.CultureInfo.InvariantCulture)).SendAsync("conversationUpdated", conversation);
    }

    async Task OnGroupEvent(long groupId, ChatEvent e)
    {
        var members = hub.Clients.Group(GroupName(groupId));
        switch (e.Type)
        {
            case "message" or "messageUpdated" when e.Message is not null:
                await members.SendAsync(e.Type, MessageDto.From(e.Message));
                break;
            case "typing":
                await members.SendAsync("typing", new TypingEventDto(e.ConversationId, e.UserId));
                break;
        }
    }

    async Task JoinGroupLocked(string connectionId, long groupId)
    {
        if (!_groupsByConnection.TryGetValue(connectionId, out var memberOf) || !memberOf.Add(groupId)) return;
        await hub.Groups.AddToGroupAsync(connectionId, GroupName(groupId));
        if (_groupSubscriptions.TryGetValue(groupId, out var subscription))
            _groupSubscriptions[groupId] = subscription with { Connections = subscription.Connections + 1 };
        else
            _groupSubscriptions[groupId] = (1, await Stream(ChatStreams.ForGroup(groupId)).SubscribeAsync((e, _) => OnGroupEvent(groupId, e)));
    }

    async Task LeaveGroupLocked(string connectionId, long groupId, bool removeFromSet)
    {
        if (removeFromSet && (!_groupsByConnection.TryGetValue(connectionId, out var memberOf) || !memberOf.Remove(groupId))) return;
        await hub.Groups.RemoveFromGroupAsync(connectionId, GroupName(groupId));
        if (!_groupSubscriptions.TryGetValue(groupId, out var subscription)) return;
        if (subscription.Connections > 1)
            _groupSubscriptions[groupId] = subscription with { Connections = subscription.Connections - 1 };
        else
        {
            _groupSubscriptions.Remove(groupId);
            await Unsubscribe(subscription.Handle);
        }
    }

    IAsyncStream<ChatEvent> Stream(StreamId id) => cluster.GetStreamProvider(ChatStreams.Provider).GetStream<ChatEvent>(id);

    async Task Unsubscribe(StreamSubscriptionHandle<ChatEvent> handle)
    {
        try
        {
            await handle.UnsubscribeAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Unsubscribing from stream {StreamId} failed", handle.StreamId);
        }
    }
}
