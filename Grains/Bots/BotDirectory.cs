using System.Collections.Frozen;
using Microsoft.Extensions.AI;

namespace GoChat.Grains.Bots;

/// <summary>
/// A configured bot as this silo knows it: its user, its settings and its model client (or why it
/// has none: a model file that would not load, an API key file that is missing).
/// </summary>
public sealed class Bot(long userId, string username, string displayName, BotSettings settings, IChatClient? client, string? unavailable)
{
    public long UserId { get; } = userId;
    public string Username { get; } = username;
    public string DisplayName { get; } = displayName;
    public BotSettings Settings { get; } = settings;

    /// <summary>The model, through Microsoft.Extensions.AI whatever the provider; null when <see cref="Unavailable"/>.</summary>
    public IChatClient? Client { get; } = client;

    /// <summary>Why the bot cannot answer, in words fit for its users; null when it can.</summary>
    public string? Unavailable { get; } = unavailable;

    /// <summary>
    /// Whether <paramref name="text"/> addresses this bot: "@username" or "@Display Name", not
    /// followed by more of a name.
    /// </summary>
    public bool IsMentionedIn(string text) => Mentions(text, Username) || Mentions(text, DisplayName);

    static bool Mentions(string text, string name)
    {
        for (var at = text.IndexOf('@'); at >= 0; at = text.IndexOf('@', at + 1))
        {
            var end = at + 1 + name.Length;
            if (end <= text.Length && string.Compare(text, at + 1, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0
                && (end == text.Length || !(char.IsLetterOrDigit(text[end]) || text[end] == '_')))
                return true;
        }
        return false;
    }
}

/// <summary>
/// The bots of this silo's configuration, by user id, filled at start-up by <see cref="BotRegistration"/>.
/// Every silo has its own (conversation and bot grains run anywhere); their models are unloaded
/// when the host stops.
/// </summary>
public sealed class BotDirectory : IAsyncDisposable
{
    volatile FrozenDictionary<long, Bot> _bots = FrozenDictionary<long, Bot>.Empty;

    public bool Any => _bots.Count > 0;

    public IEnumerable<Bot> All => _bots.Values;

    public Bot? Get(long userId) => _bots.GetValueOrDefault(userId);

    internal void Publish(IEnumerable<Bot> bots) => _bots = bots.ToFrozenDictionary(b => b.UserId);

    public async ValueTask DisposeAsync()
    {
        var bots = _bots;
        _bots = FrozenDictionary<long, Bot>.Empty;
        foreach (var bot in bots.Values)
            if (bot.Client is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
            else bot.Client?.Dispose();
    }
}
