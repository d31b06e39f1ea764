using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// Keeps this WebFront's routes attached and its users' presence reported: route grains hold
/// attachments, and user grains presence, in memory, so a grain that was deactivated or lost with
/// its silo forgets us. Every <see cref="DeliveryOptions.ReattachPeriod"/> (well inside the grain
/// collection age, which also keeps busy route grains active) and at once whenever a silo leaves the
/// cluster (again when a silo that was stopping is finally dead, as its grains are gone only then),
/// every live route is attached again and every user connected here reported again.
/// </summary>
internal sealed class RouteLease(RouteTable routes, HubConnections connections, IClusterMembershipService membership,
    IOptions<DeliveryOptions> options, ILogger<RouteLease> logger) : BackgroundService
{
    /// <summary>One renewal, now; returns how many routes were attached again.</summary>
    public Task<int> RenewAll(CancellationToken ct) => routes.ReattachAll(connections.ReportPresence, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.ReattachPeriod;
        var membershipChanged = WatchMembership(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAny(Task.Delay(period, stoppingToken), membershipChanged.WaitAsync(stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (membershipChanged.IsCompleted) membershipChanged = WatchMembership(stoppingToken);
            try
            {
                DeliveryLog.Renewed(logger, await RenewAll(stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                DeliveryLog.RenewFailed(logger, e);
            }
        }
    }

    /// <summary>
    /// Completes when a silo that was active leaves the cluster (starts stopping or dies), or one that
    /// was stopping is dead.
    /// </summary>
    async Task WatchMembership(CancellationToken ct)
    {
        static bool Watched(SiloStatus status) => status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping;
        var watched = membership.CurrentSnapshot.Members.Values.Where(m => Watched(m.Status)).ToDictionary(m => m.SiloAddress, m => m.Status);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct))
            {
                if (watched.Any(silo => snapshot.GetSiloStatus(silo.Key) != silo.Value)) return;
                foreach (var member in snapshot.Members.Values.Where(m => Watched(m.Status))) watched[member.SiloAddress] = member.Status;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
