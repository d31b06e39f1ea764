using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace GoChat.Silo.Health;

/// <summary>
/// /healthz (liveness: the process answers; no check, nothing remote) and /readyz (readiness: the
/// checks tagged <see cref="SiloSetup.ReadyTag"/>), served by the WebFront and, when it is given an
/// HTTP address, by the headless silo, so orchestrators probe both the same way.
/// </summary>
public static class HealthEndpoints
{
    public static void MapGoChatHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(SiloSetup.ReadyTag) });
    }

    /// <summary>
    /// Whether the configuration chooses an HTTP address in any of ASP.NET Core's own ways: urls
    /// (ASPNETCORE_URLS, --urls), http_ports/https_ports (ASPNETCORE_HTTP_PORTS, which the official
    /// container images set) or Kestrel:Endpoints.
    /// </summary>
    public static bool AddressConfigured(IConfiguration config)
    {
        string[] addressKeys = ["urls", "http_ports", "https_ports"];
        return addressKeys.Any(key => !string.IsNullOrWhiteSpace(config[key]))
               || config.GetSection("Kestrel:Endpoints").GetChildren().Any();
    }
}
