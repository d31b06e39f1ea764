using System.Net;
using GoChat.Grains.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Operations;

/// <summary>
/// The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto GoChat believes
/// (GoChat:ForwardedHeaders). Anyone can send those headers; only a request that arrives from one of
/// these addresses has them applied, so the sign-in limits, the recorded sign-in address and the
/// metrics allow-list see the real client behind the proxy and a client cannot pretend to be
/// someone else. Loopback by default: a proxy on the same machine (deploy/cluster.sh's nginx).
/// </summary>
internal sealed class TrustedProxyOptions
{
    public const string Section = "GoChat:ForwardedHeaders";

    /// <summary>Proxy addresses, comma-separated.</summary>
    public string KnownProxies { get; set; } = "";

    /// <summary>Proxy networks (CIDR), comma-separated.</summary>
    public string KnownNetworks { get; set; } = "127.0.0.0/8, ::1/128";

    public static IEnumerable<string> Entries(string? list) => (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var badProxy = TrustedProxyOptions.Entries(options.KnownProxies).FirstOrDefault(e => !IPAddress.TryParse(e, out _));
        var badNetwork = TrustedProxyOptions.Entries(options.KnownNetworks).FirstOrDefault(e => !System.Net.IPNetwork.TryParse(e, out _));
        return new Settings.Check(TrustedProxyOptions.Section)
            .Require(badProxy is null, nameof(options.KnownProxies), $"must be IP addresses separated by commas, such as 10.0.0.5, 10.0.0.6 ('{badProxy}' is not one)")
            .Require(badNetwork is null, nameof(options.KnownNetworks), $"must be CIDR networks separated by commas, such as 10.0.0.0/8, fd00::/8 ('{badNetwork}' is not one)")
            .Result;
    }
}

internal static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddSettings<TrustedProxyOptions, TrustedProxyOptionsValidator>(TrustedProxyOptions.Section);
        // Runs after ASP.NET Core's own setup, so ASPNETCORE_FORWARDEDHEADERS_ENABLED (which trusts
        // anyone) cannot widen what is configured here.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // No fixed number of hops: each entry from the right is taken only while the address it
            // came from is a trusted proxy, so a chain of known proxies works and a spoofed entry never does.
            forwarded.ForwardLimit = null;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in TrustedProxyOptions.Entries(trusted.Value.KnownProxies)) forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in TrustedProxyOptions.Entries(trusted.Value.KnownNetworks)) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        return services;
    }
}
