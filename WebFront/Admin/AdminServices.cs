using GoChat.WebFront.Accounts;

namespace GoChat.WebFront.Admin;

internal static class AdminServices
{
    /// <summary>What administrators and the account lifecycle need beside the grains: start-up work in the background.</summary>
    public static IServiceCollection AddAdministration(this IServiceCollection services)
    {
        services.AddHostedService<ConfiguredAdministrators>();
        services.AddHostedService<ClosedAccountMedia>();
        return services;
    }
}
