using Microsoft.Extensions.Logging;

namespace GoChat.Silo.Telemetry;

/// <summary>Metrics, traces and the dashboard (event ids 6100-6149).</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 6100, EventName = "OtlpExporting", Level = LogLevel.Information, Message = "Exporting metrics and traces over OTLP to {Endpoint}")]
    public static partial void OtlpExporting(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 6101, EventName = "MetricsScrapeRefused", Level = LogLevel.Warning, Message = "Refused a /metrics scrape from {Address}, which GoChat:Telemetry:MetricsAllowedFrom does not allow")]
    public static partial void MetricsScrapeRefused(ILogger logger, string address);
}
