using GoChat.Grains.Bots;
using GoChat.Grains.Chat;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

internal sealed partial class ChatHub
{
    /// <summary>
    /// Stops a bot's reply while it streams: the request to its model is cancelled and what arrived
    /// is kept, marked stopped. Allowed to the person who asked and to a group's owner and admins.
    /// </summary>
    public async Task StopReply(string conversationId, long seq)
    {
        var page = await Conversation(conversationId).GetHistory(UserId, new HistoryQuery(Math.Max(0, seq - 1), null, 1));
        if (page.Error is { } error) throw Refused(error);
        if (page.Value is not [{ } reply] || reply.Seq != seq) throw new HubException($"no message {seq} in this conversation");
        if (reply.Status != MessageStatus.Streaming) throw new HubException("this reply is not being generated any more");
        if (await grains.GetGrain<IBotReplyGrain>(BotReplyKeys.For(reply.SenderId, conversationId)).Stop(UserId, seq) is { } refused)
            throw Refused(refused);
    }
}
