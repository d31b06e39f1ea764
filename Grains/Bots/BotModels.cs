using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace GoChat.Grains.Bots;

/// <summary>
/// Makes a bot's model client. Every hosted model goes through one path: Microsoft.Extensions.AI's
/// <see cref="IChatClient"/> over the OpenAI .NET SDK pointed at the configured endpoint, with the
/// SDK's own retries off (a retry would resend a prompt the person may have stopped, and hide a
/// failure we want to name: GoChat's bot grain decides what to retry).
/// </summary>
internal static class BotModels
{
    /// <summary>The client, or why there is none (in words fit to show the bot's users; details go to the log).</summary>
    public static (IChatClient? Client, string? Unavailable, string? LogReason) Create(string name, BotSettings settings, Microsoft.Extensions.Logging.ILogger logger) =>
        settings.Provider switch
        {
            BotSettings.OpenAi => OpenAiCompatible(settings),
            BotSettings.LlamaSharp => LocalModel.Load(name, settings, logger),
            _ => (null, "this bot is not set up correctly", $"unknown provider '{settings.Provider}'"),
        };

    static (IChatClient?, string?, string?) OpenAiCompatible(BotSettings settings)
    {
        string? key = settings.ApiKey;
        if (!string.IsNullOrEmpty(settings.ApiKeyFile))
        {
            try
            {
                key = File.ReadAllText(settings.ApiKeyFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, "this bot has no API key for its provider", $"its ApiKeyFile could not be read ({e.GetType().Name})");
            }
        }
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(settings.Endpoint!),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // The bot grain ends a reply that goes quiet for IdleTimeout; this is only the backstop.
            NetworkTimeout = settings.IdleTimeout + TimeSpan.FromSeconds(30),
            UserAgentApplicationId = "GoChat",
        };
        // Local servers (Ollama, llama-server) need no key; the SDK insists on one, which they ignore.
        var client = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(key) ? "no-key" : key), options);
        return (client.GetChatClient(settings.Model!).AsIChatClient(), null, null);
    }
}
