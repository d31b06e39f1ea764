using System.Net;
using GoChat.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GoChat.Silo.Telemetry;

/// <summary>
/// OpenTelemetry for every GoChat process: metrics from Orleans, ASP.NET Core, Npgsql and GoChat's
/// own meters (GoChat.*), always collected for the /metrics scrape endpoint; traces and OTLP export
/// only when an OTLP endpoint is configured, so an unobserved node pays nothing for traces.
/// </summary>
public static class Telemetry
{
    /// <summary>GoChat's meters: GoChat.Storage (group commit), GoChat.Chat (messages sent), GoChat.Delivery (delivery, connections, routes).</summary>
    public const string GoChatMeters = "GoChat.*";

    public const string MetricsPath = "/metrics";

    /// <summary>Reads GoChat:Telemetry now (the console format and the exporters are chosen before the host is built).</summary>
    public static TelemetryOptions Read(IConfiguration config) =>
        Settings.Read(config, TelemetryOptions.Section, new TelemetryOptionsValidator());

    /// <summary>The console formatter GoChat:Telemetry:ConsoleLogFormat names, if it names one.</summary>
    public static void UseConsoleFormat(this ILoggingBuilder logging, TelemetryOptions options)
    {
        if (string.IsNullOrEmpty(options.ConsoleLogFormat)) return;
        var name = options.ConsoleLogFormat.ToLowerInvariant();
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = name);
        // One JSON object per line, timestamps in UTC as log shippers expect.
        logging.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
    }

    /// <summary>True when metrics and traces go out over OTLP (GoChat's setting or the standard OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public static bool ExportsOtlp(TelemetryOptions options, IConfiguration config) =>
        !string.IsNullOrEmpty(options.OtlpEndpoint) || !string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static void AddGoChatTelemetry(this IHostApplicationBuilder builder, TelemetryOptions options, string nodeName)
    {
        builder.Services.AddSettings<TelemetryOptions, TelemetryOptionsValidator>(TelemetryOptions.Section);
        var otlp = ExportsOtlp(options, builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("gochat", serviceInstanceId: nodeName))
            .WithMetrics(metrics => metrics
                .AddMeter("Microsoft.Orleans")
                .AddMeter(GoChatMeters)
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        if (!otlp) return;
        telemetry.WithTracing(tracing => tracing
            .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
            .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != MetricsPath)
            .AddNpgsql());
        if (!string.IsNullOrEmpty(options.OtlpEndpoint)) telemetry.UseOtlpExporter(OtlpExportProtocol.Grpc, new Uri(options.OtlpEndpoint));
        else telemetry.UseOtlpExporter(); // the OTEL_EXPORTER_OTLP_* variables
    }

    /// <summary>
    /// /metrics in the Prometheus text format, for the addresses GoChat:Telemetry:MetricsAllowedFrom
    /// allows; anyone else gets 403. Call before the endpoints that would otherwise answer the path.
    /// </summary>
    public static void MapGoChatMetrics(this WebApplication app)
    {
        var options = Read(app.Configuration);
        var allowed = options.MetricsNetworks();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GoChat.Telemetry");
        var otlpEndpoint = options.OtlpEndpoint ?? app.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrEmpty(otlpEndpoint)) TelemetryLog.OtlpExporting(logger, otlpEndpoint);
        app.Use((http, next) =>
        {
            if (!http.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase) || Allowed(http.Connection.RemoteIpAddress, allowed)) return next(http);
            TelemetryLog.MetricsScrapeRefused(logger, http.Connection.RemoteIpAddress?.ToString() ?? "an unknown address");
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
    }

    internal static bool Allowed(IPAddress? remote, IReadOnlyList<IPNetwork> allowed)
    {
        if (remote is null) return false;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        foreach (var network in allowed)
            if (network.Contains(remote)) return true;
        return false;
    }
}
