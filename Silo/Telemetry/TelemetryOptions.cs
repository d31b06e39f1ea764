using System.Net;
using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Silo.Telemetry;

/// <summary>Metrics, traces, the Orleans dashboard and the console log format (GoChat:Telemetry).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "GoChat:Telemetry";

    /// <summary>
    /// Where to send metrics and traces over OTLP (gRPC), e.g. http://collector:4317. Empty: the
    /// standard OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) decide, and with neither
    /// nothing is exported over OTLP.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Who may scrape /metrics: addresses or networks (CIDR), comma-separated. The metrics name
    /// conversations' activity and the cluster's layout, so only loopback may by default.
    /// </summary>
    public string MetricsAllowedFrom { get; set; } = "127.0.0.0/8, ::1/128";

    /// <summary>
    /// The Orleans dashboard at /dashboard, for administrators. Off by default: it profiles every
    /// grain call on every silo, which costs on the hot path. Every silo of a cluster needs the same value.
    /// </summary>
    public bool Dashboard { get; set; }

    /// <summary>The console log format: simple, json or systemd. Empty: Logging:Console:FormatterName decides (simple by default).</summary>
    public string? ConsoleLogFormat { get; set; }

    public static readonly string[] ConsoleLogFormats = ["simple", "json", "systemd"];

    /// <summary>The networks of <see cref="MetricsAllowedFrom"/>; call after validation.</summary>
    public IReadOnlyList<IPNetwork> MetricsNetworks() => ParseNetworks(MetricsAllowedFrom, out _);

    internal static List<IPNetwork> ParseNetworks(string? list, out string? bad)
    {
        bad = null;
        var networks = new List<IPNetwork>();
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            else bad ??= entry;
        }
        return networks;
    }

    internal static readonly IReadOnlyList<IPNetwork> None = [];
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        TelemetryOptions.ParseNetworks(options.MetricsAllowedFrom, out var bad);
        return new Settings.Check(TelemetryOptions.Section)
            .Require(string.IsNullOrEmpty(options.OtlpEndpoint)
                     || Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                nameof(options.OtlpEndpoint), $"must be an absolute http(s) URL such as http://collector:4317 (it is '{options.OtlpEndpoint}')")
            .Require(bad is null, nameof(options.MetricsAllowedFrom),
                $"must be addresses or CIDR networks separated by commas, such as 127.0.0.0/8, 10.0.0.0/8 ('{bad}' is neither)")
            .Require(string.IsNullOrEmpty(options.ConsoleLogFormat) || TelemetryOptions.ConsoleLogFormats.Contains(options.ConsoleLogFormat, StringComparer.OrdinalIgnoreCase),
                nameof(options.ConsoleLogFormat), $"must be one of {string.Join(", ", TelemetryOptions.ConsoleLogFormats)} (it is '{options.ConsoleLogFormat}')")
            .Result;
    }
}
