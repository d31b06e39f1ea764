using System.Net;
using System.Text.RegularExpressions;
using GoChat.Grains.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Silo;

/// <summary>How this silo is reached and which cluster it joins (GoChat:Silo, GoChat:ClusterId, GoChat:ServiceId).</summary>
internal sealed class SiloEndpointOptions
{
    public const string Section = "GoChat:Silo";

    /// <summary>
    /// This node's name: the Orleans silo name (in the membership table, so `deploy/cluster.sh status`
    /// shows it) and the X-GoChat-Node response header of a WebFront. The host name by default (a
    /// pod's name in Kubernetes); set it when several nodes share a machine.
    /// </summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The address other silos use to reach this one.</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo port. Fixed by default so a restarted silo replaces its crashed entry at once; 0 picks a free port.</summary>
    public int Port { get; set; } = SiloSetup.DefaultSiloPort;

    /// <summary>Orleans client gateway port; 0 opens none.</summary>
    public int GatewayPort { get; set; }

    /// <summary>Bound from GoChat:ClusterId: silos with the same cluster id and database form one cluster.</summary>
    public string ClusterId { get; set; } = "gochat";

    /// <summary>Bound from GoChat:ServiceId.</summary>
    public string ServiceId { get; set; } = "gochat";

    public IPAddress AdvertisedAddress => IPAddress.Parse(AdvertisedIP);

    /// <summary>Read and checked before the host is built: the silo is configured from it.</summary>
    internal static SiloEndpointOptions Read(IConfiguration config) =>
        Settings.Read(config, Section, new SiloEndpointOptionsValidator(config), options =>
        {
            options.ClusterId = config["GoChat:ClusterId"] ?? options.ClusterId;
            options.ServiceId = config["GoChat:ServiceId"] ?? options.ServiceId;
        });
}

/// <summary>
/// Ports in range, a parseable address, and the cluster mistake that is easy to make: a silo
/// advertised to other machines but with no connection string would start a private database and
/// form a one-node cluster of its own, which the other nodes never see.
/// </summary>
internal sealed partial class SiloEndpointOptionsValidator(IConfiguration config) : IValidateOptions<SiloEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloEndpointOptions options)
    {
        var parsed = IPAddress.TryParse(options.AdvertisedIP, out var address);
        return new Settings.Check(SiloEndpointOptions.Section)
            .Require(NodeName().IsMatch(options.Name), nameof(options.Name), $"must be 1 to 64 letters, digits, '.', '-' or '_' (it is '{options.Name}')")
            .Require(parsed, nameof(options.AdvertisedIP), $"must be an IP address (it is '{options.AdvertisedIP}')")
            .InRange(options.Port, 0, 65535, nameof(options.Port))
            .InRange(options.GatewayPort, 0, 65535, nameof(options.GatewayPort))
            .Require(options.GatewayPort == 0 || options.GatewayPort != options.Port, nameof(options.GatewayPort), "must differ from GoChat:Silo:Port")
            .Require(!parsed || IPAddress.IsLoopback(address!) || !string.IsNullOrWhiteSpace(config.GetConnectionString("GoChat")), nameof(options.AdvertisedIP),
                $"is {options.AdvertisedIP}, an address for other machines, but ConnectionStrings:GoChat is not set: this node would start a private database " +
                "and a one-node cluster of its own. Give every node of the cluster the same ConnectionStrings:GoChat")
            .Require(!string.IsNullOrWhiteSpace(options.ClusterId), "GoChat:ClusterId", "must not be empty")
            .Require(!string.IsNullOrWhiteSpace(options.ServiceId), "GoChat:ServiceId", "must not be empty")
            .Result;
    }

    // A header value and a silo name anyone can read in a log: no spaces, quotes or control characters.
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NodeName();
}
