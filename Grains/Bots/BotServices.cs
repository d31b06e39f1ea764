using GoChat.Grains.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GoChat.Grains.Bots;

public static class BotServices
{
    /// <summary>Bots on this silo: their settings, users, models and triggers (docs/bots.md).</summary>
    public static IServiceCollection AddGoChatBots(this IServiceCollection services)
    {
        services.AddSettings<BotOptions, BotOptionsValidator>(BotOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BotStore>();
        services.AddSingleton<BotDirectory>();
        services.AddSingleton<BotTriggers>();
        services.AddHostedService<BotRegistration>();
        return services;
    }
}
