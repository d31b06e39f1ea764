using Microsoft.Extensions.AI;

namespace GoChat.Grains.Bots;

/// <summary>A LLaMA-family GGUF file run in-process (LLamaSharp). Not built yet.</summary>
internal static class LocalModel
{
    public static (IChatClient? Client, string? Unavailable, string? LogReason) Load(string name, BotSettings settings) =>
        (null, "this bot's model is not available", "the llamasharp provider is not available in this build");
}
