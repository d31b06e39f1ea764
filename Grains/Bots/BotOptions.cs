using GoChat.Grains.Configuration;
using GoChat.Grains.Users;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Bots;

/// <summary>
/// The chatbot users (GoChat:Bots:&lt;name&gt;; the name is the bot's username). Bound from the
/// GoChat section so each bot is a key under GoChat:Bots. docs/bots.md describes every setting.
/// </summary>
public sealed class BotOptions
{
    public const string Section = "GoChat";
    public const string BotsKey = "GoChat:Bots";

    public Dictionary<string, BotSettings> Bots { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One bot. Never logged or rendered whole: <see cref="ApiKey"/> is a secret.</summary>
public sealed class BotSettings
{
    public const string OpenAi = "openai";
    public const string LlamaSharp = "llamasharp";

    /// <summary>The name people see; the bot's username when empty.</summary>
    public string? DisplayName { get; set; }

    /// <summary>"openai" for any OpenAI-compatible chat-completions endpoint (Grok, Ollama, llama-server, vLLM), "llamasharp" for a local GGUF file.</summary>
    public string Provider { get; set; } = "";

    /// <summary>openai: the API base URL, e.g. https://api.x.ai/v1 or http://localhost:11434/v1.</summary>
    public string? Endpoint { get; set; }

    /// <summary>openai: the model id the endpoint knows (grok-4, llama3.2, ...).</summary>
    public string? Model { get; set; }

    /// <summary>openai: the API key. Give it through the environment (GoChat__Bots__&lt;name&gt;__ApiKey) or <see cref="ApiKeyFile"/>, never in a file under version control.</summary>
    public string? ApiKey { get; set; }

    /// <summary>openai: a file holding the API key (a container secret); read once at start-up.</summary>
    public string? ApiKeyFile { get; set; }

    /// <summary>llamasharp: the GGUF model file.</summary>
    public string? ModelPath { get; set; }

    /// <summary>llamasharp: the context window in tokens.</summary>
    public int ContextSize { get; set; } = 2048;

    /// <summary>llamasharp: generations run at once on this model (each needs its own context's memory).</summary>
    public int MaxParallelGenerations { get; set; } = 1;

    /// <summary>The system prompt, sent first with every request.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>How many of the conversation's latest messages are sent as context.</summary>
    public int MaxContextMessages { get; set; } = 20;

    /// <summary>The context is trimmed oldest-first to this many characters (system prompt included).</summary>
    public int MaxContextCharacters { get; set; } = 24_000;

    /// <summary>The most tokens one reply may have.</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>Sampling temperature; empty means the provider's default.</summary>
    public double? Temperature { get; set; }

    /// <summary>Questions one person may ask this bot per minute (across conversations).</summary>
    public int RequestsPerMinutePerUser { get; set; } = 10;

    /// <summary>Tokens (prompt + completion) this bot may use per UTC day; empty means no limit.</summary>
    public long? DailyTokenBudget { get; set; }

    /// <summary>A reply ends when the provider sends nothing for this long (before the first token too).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public string DisplayNameOr(string username) => string.IsNullOrWhiteSpace(DisplayName) ? username : DisplayName.Trim();
}

internal sealed class BotOptionsValidator : IValidateOptions<BotOptions>
{
    public ValidateOptionsResult Validate(string? name, BotOptions options)
    {
        var check = new Settings.Check(BotOptions.BotsKey);
        foreach (var (bot, s) in options.Bots)
        {
            string Key(string setting) => $"{bot}:{setting}";
            check.Require(AccountRules.CheckUsername(bot) is null, bot,
                    $"is not a usable username: {AccountRules.CheckUsername(bot)?.Message}")
                .Require(AccountRules.CheckDisplayName(s.DisplayName) is null, Key(nameof(s.DisplayName)),
                    $"must be 1-{AccountRules.MaxDisplayNameLength} characters")
                .Require(s.Provider is BotSettings.OpenAi or BotSettings.LlamaSharp, Key(nameof(s.Provider)),
                    $"must be '{BotSettings.OpenAi}' (any OpenAI-compatible endpoint) or '{BotSettings.LlamaSharp}' (a local GGUF file) (it is '{s.Provider}')")
                .InRange(s.MaxContextMessages, 1, 200, Key(nameof(s.MaxContextMessages)))
                .InRange(s.MaxContextCharacters, 1_000, 1_000_000, Key(nameof(s.MaxContextCharacters)))
                .InRange(s.MaxOutputTokens, 1, 100_000, Key(nameof(s.MaxOutputTokens)))
                .InRange(s.RequestsPerMinutePerUser, 1, 10_000, Key(nameof(s.RequestsPerMinutePerUser)))
                .InRange(s.IdleTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), Key(nameof(s.IdleTimeout)))
                .Require(s.Temperature is null or (>= 0 and <= 2), Key(nameof(s.Temperature)), $"must be between 0 and 2 (it is {s.Temperature})")
                .Require(s.DailyTokenBudget is null or > 0, Key(nameof(s.DailyTokenBudget)), $"must be positive, or empty for no limit (it is {s.DailyTokenBudget})")
                .Require(s.SystemPrompt is null or { Length: <= 20_000 }, Key(nameof(s.SystemPrompt)), "must be at most 20000 characters");
            if (s.Provider == BotSettings.OpenAi)
                check.Require(Uri.TryCreate(s.Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                        Key(nameof(s.Endpoint)), $"must be an absolute http(s) URL such as https://api.x.ai/v1 (it is '{s.Endpoint}')")
                    .Require(!string.IsNullOrWhiteSpace(s.Model), Key(nameof(s.Model)), "is required for an openai bot (the model id the endpoint knows)")
                    .Require(string.IsNullOrEmpty(s.ApiKey) || string.IsNullOrEmpty(s.ApiKeyFile), Key(nameof(s.ApiKeyFile)), "and ApiKey are both set: give one");
            if (s.Provider == BotSettings.LlamaSharp)
                check.Require(!string.IsNullOrWhiteSpace(s.ModelPath), Key(nameof(s.ModelPath)), "is required for a llamasharp bot (the GGUF file)")
                    .InRange(s.ContextSize, 256, 131_072, Key(nameof(s.ContextSize)))
                    .InRange(s.MaxParallelGenerations, 1, 64, Key(nameof(s.MaxParallelGenerations)));
        }
        return check.Result;
    }
}
