using GoChat.WebFront.Apis;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// Every event the hub sends its clients, one method each, with its wire name (docs/api.md; the web
/// client's table of the same events is ClientApp/src/lib/events.ts). <see cref="ChatHub"/> is a
/// <c>Hub&lt;IChatClient&gt;</c>, so nothing else names an event.
/// </summary>
public partial interface IChatClient
{
    [HubMethodName("message")]
    Task Message(MessageDto message);

    [HubMethodName("messageUpdated")]
    Task MessageUpdated(MessageDto message);

    [HubMethodName("read")]
    Task Read(ReadEventDto read);

    [HubMethodName("typing")]
    Task Typing(TypingEventDto typing);

    [HubMethodName("presence")]
    Task Presence(PresenceEventDto presence);

    [HubMethodName("conversationUpdated")]
    Task ConversationUpdated(ConversationDto conversation);

    [HubMethodName("resync")]
    Task Resync(ResyncEventDto resync);
}
