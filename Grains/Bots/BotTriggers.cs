using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Bots;

/// <summary>
/// Decides which bots a committed message asks, and asks them: in a direct conversation with a
/// bot, every message of the person; in a group, the bots it @mentions or whose message it replies
/// to, if they are members. A bot's own messages never ask anyone (no bot answers itself or another
/// bot). Runs outside the conversation grain's turn: a send is never slowed by its bots.
/// </summary>
public sealed class BotTriggers(BotDirectory bots, MessageLog log, IGrainFactory grains, ILogger<BotTriggers> logger)
{
    /// <summary>Called by the conversation grain for each committed message; returns at once.</summary>
    public void Consider(ChatMessage message)
    {
        if (!bots.Any || message.Status != MessageStatus.Complete || bots.Get(message.SenderId) is not null) return;
        // The cheap part here, so people's messages that concern no bot cost nothing more.
        if (!ConversationIds.TryParse(message.ConversationId, out var direct, out _)) return;
        if (direct is var (lo, hi) ? bots.Get(message.SenderId == lo ? hi : lo) is null
                : message.ReplyToSeq is null && !bots.All.Any(b => b.IsMentionedIn(message.Text))) return;
        _ = Task.Run(() => Ask(message));
    }

    async Task Ask(ChatMessage message)
    {
        try
        {
            if (!ConversationIds.TryParse(message.ConversationId, out var direct, out var groupId)) return;
            var asked = new List<Bot>();
            if (direct is var (lo, hi))
            {
                if (bots.Get(message.SenderId == lo ? hi : lo) is { } bot) asked.Add(bot);
            }
            else
            {
                var repliedTo = message.ReplyToSeq is { } seq ? (await log.Get(message.ConversationId, seq))?.SenderId : null;
                foreach (var bot in bots.All)
                    if (bot.UserId == repliedTo || bot.IsMentionedIn(message.Text))
                        if (await grains.GetGrain<IGroupGrain>(groupId!.Value).IsMember(bot.UserId)) asked.Add(bot);
            }
            if (asked.Count == 0) return;
            // A bot no longer configured (a disabled bot's user) is a bot all the same: it asks no one.
            if (await grains.GetGrain<IUserGrain>(message.SenderId).GetProfile() is not { IsBot: false }) return;
            foreach (var bot in asked)
                await grains.GetGrain<IBotReplyGrain>(BotReplyKeys.For(bot.UserId, message.ConversationId)).Ask(message.SenderId, message.Seq);
        }
        catch (Exception e)
        {
            BotLog.TriggerFailed(logger, e, message.ConversationId, message.Seq);
        }
    }
}
