using Microsoft.Extensions.Logging;

namespace GoChat.Silo;

/// <summary>
/// The silo's log events (ids 1100-1199): the embedded PostgreSQL and errors of grain calls.
/// 1121 is always a bug; a rate of 1120 means the database is away.
/// </summary>
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 1101, EventName = "EmbeddedPostgresCreating", Level = LogLevel.Information, Message = "Creating the embedded PostgreSQL cluster in {PgData}")]
    public static partial void EmbeddedCreating(ILogger logger, string pgData);

    [LoggerMessage(EventId = 1102, EventName = "EmbeddedPostgresLeftover", Level = LogLevel.Warning, Message = "Stopping an embedded PostgreSQL left running by an earlier GoChat process")]
    public static partial void EmbeddedLeftover(ILogger logger);

    [LoggerMessage(EventId = 1103, EventName = "EmbeddedPostgresRunning", Level = LogLevel.Information, Message = "Embedded PostgreSQL is running on 127.0.0.1:{Port} with data in {PgData}")]
    public static partial void EmbeddedRunning(ILogger logger, int port, string pgData);

    [LoggerMessage(EventId = 1104, EventName = "EmbeddedPostgresStopped", Level = LogLevel.Information, Message = "Embedded PostgreSQL stopped")]
    public static partial void EmbeddedStopped(ILogger logger);

    [LoggerMessage(EventId = 1105, EventName = "EmbeddedPostgresStopFailed", Level = LogLevel.Warning, Message = "Stopping the embedded PostgreSQL failed: {Output}")]
    public static partial void EmbeddedStopFailed(ILogger logger, string output);

    [LoggerMessage(EventId = 1120, EventName = "GrainCallDatabaseAway", Level = LogLevel.Warning, Message = "{Method} met the database away")]
    public static partial void GrainCallDatabaseAway(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 1121, EventName = "GrainCallFailed", Level = LogLevel.Error, Message = "{Method} failed")]
    public static partial void GrainCallFailed(ILogger logger, Exception exception, string method);
}
