using GoChat.Grains.Limits;

namespace GoChat.WebFront.Operations;

/// <summary>
/// The abuse limits of GoChat:Limits on the WebFront: per-account allowances, kept by user grains;
/// <see cref="MessagePermits"/> and <see cref="UploadAllowance"/> are their silo-side ends.
/// </summary>
internal static class AbuseLimits
{
    public static IServiceCollection AddAbuseLimits(this IServiceCollection services)
    {
        services.AddSingleton<MessagePermits>();
        services.AddSingleton<UploadAllowance>();
        return services;
    }
}
