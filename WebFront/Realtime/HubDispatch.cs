using System.Globalization;
using GoChat.Grains.Calls;
using GoChat.Grains.Chat;
using GoChat.WebFront.Apis;
using GoChat.WebFront.Bots;
using GoChat.WebFront.Calls;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// How each delivery event reaches this WebFront's SignalR connections: a user route's events go
/// to the user's connections (SignalR group "u:{id}"), a group route's to the group's members
/// connected here ("g:{id}", one send per WebFront, not one per member). The one place where an
/// event kind is mapped to a client event; events meant for the WebFront itself (membership,
/// revocation) are handled by their listeners (<see cref="HubConnections"/>, <see cref="SessionRevocation"/>).
/// </summary>
internal sealed class HubDispatch(IHubContext<ChatHub, IChatClient> hub, DeliveryMetrics metrics, ILogger<HubDispatch> logger)
{
    public static string GroupName(long groupId) => string.Create(CultureInfo.InvariantCulture, $"g:{groupId}");

    /// <summary>
    /// The SignalR group of one user's connections here. Sending to it costs the user's connections;
    /// Clients.User would compare the user id of every connection of this WebFront, per event.
    /// SignalR drops a closed connection from its groups by itself.
    /// </summary>
    public static string UserGroupName(long userId) => string.Create(CultureInfo.InvariantCulture, $"u:{userId}");

    /// <summary>The connections here that a route's events are for; null for routes no hub connection hears.</summary>
    public IChatClient? Audience(RouteKey route) => route.Kind switch
    {
        RouteKind.User => hub.Clients.Group(UserGroupName(route.Id)),
        RouteKind.Group => hub.Clients.Group(GroupName(route.Id)),
        _ => null,
    };

    /// <summary>Starts the sends of one event (they queue on each connection in call order) without waiting for them.</summary>
    public void Send(RouteKey route, ChatEvent chatEvent)
    {
        if (Audience(route) is not { } to) return;
        if (chatEvent is MessageSent) metrics.Delivered();
        var sending = chatEvent switch
        {
            MessageSent e => to.Message(MessageDto.From(e.Message)),
            MessageUpdated e => to.MessageUpdated(MessageDto.From(e.Message)),
            MessagesRead e => to.Read(new ReadEventDto(e.ConversationId, e.UserId, e.Seq)),
            UserTyping e => to.Typing(new TypingEventDto(e.ConversationId, e.UserId)),
            PresenceChanged e => to.Presence(new PresenceEventDto(e.UserId, e.Online)),
            Resync e => to.Resync(new ResyncEventDto(e.ConversationId)),
            CallRinging e => to.CallRinging(CallDto.From(e.Call)),
            CallUpdated e => to.CallUpdated(CallDto.From(e.Call)),
            // Only the connection the recipient is in the call with; on the WebFronts without it, a no-op.
            CallSignalled e => hub.Clients.Client(e.ToConnectionId).CallSignal(new CallSignalEventDto(e.CallId.ToString(), e.FromUserId, CallSignalDto.From(e.Signal))),
            ReplyFinished e => to.MessageUpdated(MessageDto.From(e.Message)),
            MessageStreaming e => to.MessageStreaming(new MessageStreamingDto(e.ConversationId, e.Seq, e.SenderId, e.Text)),
            _ => Task.CompletedTask,
        };
        Watch(sending, chatEvent);
    }

    /// <summary>Logs a send that failed later; a send that completed at once costs nothing more.</summary>
    public void Watch(Task sending, ChatEvent chatEvent)
    {
        if (sending.IsCompletedSuccessfully) return;
        sending.ContinueWith(t => DeliveryLog.SendFailed(logger, t.Exception, chatEvent.GetType().Name),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
