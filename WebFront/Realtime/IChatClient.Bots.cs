using GoChat.WebFront.Bots;

namespace GoChat.WebFront.Realtime;

public partial interface IChatClient
{
    /// <summary>A bot's reply so far (the whole text, not a delta), a few times a second while it streams.</summary>
    [Microsoft.AspNetCore.SignalR.HubMethodName("messageStreaming")]
    Task MessageStreaming(MessageStreamingDto streaming);
}
