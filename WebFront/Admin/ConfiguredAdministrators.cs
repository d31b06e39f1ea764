using GoChat.Grains.Users;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Admin;

/// <summary>
/// At start-up, in the background: makes the accounts GoChat:Admins names administrators (a name
/// no account holds is logged, never fatal). Idempotent: an account that is one already is left as
/// it is, and nothing is audited twice. Tried again until the cluster and database answer.
/// </summary>
internal sealed class ConfiguredAdministrators(IOptions<AdministratorsOptions> options, IGrainFactory grains, ILogger<ConfiguredAdministrators> logger)
    : BackgroundService
{
    static readonly TimeSpan Retry = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var names = options.Value.Admins;
        if (names.Count == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var unknown in await grains.GetGrain<IAdministratorsGrain>(0).ApplyConfigured(names))
                    AdminLog.ConfiguredAdministratorUnknown(logger, unknown);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                AdminLog.ConfiguredAdministratorsFailed(logger, e);
            }
            await Task.Delay(Retry, stoppingToken);
        }
    }
}
