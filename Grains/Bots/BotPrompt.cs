using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using AI = Microsoft.Extensions.AI;

namespace GoChat.Grains.Bots;

/// <summary>
/// What a bot sends its model: the system prompt, then the conversation's latest messages up to the
/// question (at most MaxContextMessages) as user and assistant turns in order, so a question that
/// waited its turn is answered as it was asked, not buried under what came after it. In a group each
/// person's message starts with their display name, and another bot's is marked as a bot's; the
/// oldest turns go first when the whole exceeds MaxContextCharacters. Nothing else about the
/// conversation or its people is sent (docs/bots.md).
/// </summary>
internal static class BotPrompt
{
    public static async Task<List<AI.ChatMessage>> Build(Bot bot, string conversationId, long questionSeq, MessageLog log, IGrainFactory grains, BotDirectory bots)
    {
        var settings = bot.Settings;
        var group = conversationId.StartsWith("g:", StringComparison.Ordinal);
        var history = await log.Page(conversationId, new HistoryQuery(null, questionSeq + 1, settings.MaxContextMessages));
        var names = new Dictionary<long, string>();
        var turns = new List<AI.ChatMessage>();
        foreach (var message in history)
        {
            if (message.Recalled || message.Status == MessageStatus.Streaming) continue;
            var content = Content(message);
            if (content.Length == 0) continue;
            if (message.SenderId == bot.UserId)
            {
                turns.Add(new AI.ChatMessage(AI.ChatRole.Assistant, content));
                continue;
            }
            if (group || bots.Get(message.SenderId) is not null)
            {
                if (!names.TryGetValue(message.SenderId, out var author))
                {
                    var profile = await grains.GetGrain<IUserGrain>(message.SenderId).GetProfile();
                    author = names[message.SenderId] = profile is null ? "(closed account)" : profile.IsBot ? $"{profile.DisplayName} (a bot)" : profile.DisplayName;
                }
                content = $"{author}: {content}";
            }
            turns.Add(new AI.ChatMessage(AI.ChatRole.User, content));
        }
        var system = SystemPrompt(bot, group);
        var total = system.Length + turns.Sum(t => t.Text.Length);
        while (total > settings.MaxContextCharacters && turns.Count > 1)
        {
            total -= turns[0].Text.Length;
            turns.RemoveAt(0);
        }
        if (total > settings.MaxContextCharacters && turns.Count == 1)
        {
            // One message longer than the whole budget: its end is what was asked last.
            var keep = Math.Max(1, settings.MaxContextCharacters - system.Length);
            var only = turns[0];
            turns[0] = new AI.ChatMessage(only.Role, only.Text[^Math.Min(keep, only.Text.Length)..]);
        }
        turns.Insert(0, new AI.ChatMessage(AI.ChatRole.System, system));
        return turns;
    }

    /// <summary>Half the turns (the newest), after the provider said the context was too long.</summary>
    public static List<AI.ChatMessage> Halved(List<AI.ChatMessage> prompt)
    {
        var turns = prompt.Count - 1;
        return [prompt[0], .. prompt.Skip(1 + turns - Math.Max(1, turns / 2))];
    }

    static string SystemPrompt(Bot bot, bool group)
    {
        var prompt = string.IsNullOrWhiteSpace(bot.Settings.SystemPrompt)
            ? $"You are {bot.DisplayName}, a helpful assistant in GoChat, a chat app. Answer briefly, in plain text."
            : bot.Settings.SystemPrompt.Trim();
        return group ? prompt + "\n\nThis is a group chat: each user message starts with its author's name." : prompt;
    }

    static string Content(Chat.ChatMessage message) => message.Kind switch
    {
        "text" => message.Text,
        _ when message.Text.Length > 0 => $"[{message.Kind}] {message.Text}",
        _ => $"[sent {(message.Kind is "image" or "audio" ? "an" : "a")} {message.Kind}]",
    };
}
