using GoChat.Grains.Calls;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using GoChat.Grains.Media;
using GoChat.Grains.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Grains.Configuration;

public static class GrainSettings
{
    /// <summary>The settings grains and their stores read, bound and checked at start-up.</summary>
    public static IServiceCollection AddGrainSettings(this IServiceCollection services) => services
        .AddSettings<MessageOptions, MessageOptionsValidator>(MessageOptions.Section)
        .AddSettings<GroupOptions, GroupOptionsValidator>(GroupOptions.Section)
        .AddSettings<MediaOptions, MediaOptionsValidator>(MediaOptions.Section)
        .AddSettings<CallOptions, CallOptionsValidator>(CallOptions.Section)
        .AddSettings<LimitsOptions, LimitsOptionsValidator>(LimitsOptions.Section)
        .AddAdministratorsSettings();

    static IServiceCollection AddAdministratorsSettings(this IServiceCollection services)
    {
        services.AddSettings<AdministratorsOptions, AdministratorsOptionsValidator>(AdministratorsOptions.Section);
        services.AddOptions<AdministratorsOptions>().Configure<IConfiguration>((o, config) => o.AddListed(config[AdministratorsOptions.Key]));
        return services;
    }
}
