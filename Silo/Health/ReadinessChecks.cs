using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace GoChat.Silo.Health;

/// <summary>Ready when this silo is an active member of the cluster.</summary>
internal sealed class SiloActiveCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo is {status}"));
    }
}

/// <summary>Ready when the database answers a trivial query.</summary>
internal sealed class DatabaseCheck(NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = db.CreateCommand("SELECT 1");
            command.CommandTimeout = 5;
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("database reachable");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}

/// <summary>
/// Not ready from the moment the host begins to stop (SIGTERM), while it still serves what is under
/// way: load balancers and proxies stop sending new work before the silo leaves and Kestrel drains.
/// </summary>
public sealed class NotStoppingCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy("running"));
}
