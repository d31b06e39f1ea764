using GoChat.Silo.Health;

namespace GoChat.WebFront.Operations;

/// <summary>
/// Where Kestrel listens when nobody said: http://localhost:8080, GoChat's documented address.
/// A pinned "Urls" in appsettings.json would outrank ASPNETCORE_HTTP_PORTS (which the official
/// container images set) and warn over Kestrel:Endpoints, so the default is applied only when none
/// of ASP.NET Core's own ways to choose an address is used: urls (ASPNETCORE_URLS, --urls),
/// http_ports/https_ports (ASPNETCORE_HTTP_PORTS, ASPNETCORE_HTTPS_PORTS) or Kestrel:Endpoints.
/// </summary>
public static class ListenAddresses
{
    public const string Default = "http://localhost:8080";

    public static void UseDefaultListenAddressUnlessConfigured(this WebApplicationBuilder builder)
    {
        if (DefaultFor(builder.Configuration) is { } url) builder.WebHost.UseUrls(url);
    }

    /// <summary>The default address, or null when the configuration already chooses one.</summary>
    public static string? DefaultFor(IConfiguration config) => HealthEndpoints.AddressConfigured(config) ? null : Default;
}
