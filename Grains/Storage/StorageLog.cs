using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Storage;

/// <summary>Storage's log events (ids 1000-1099): group commit and schema migrations. Alert on 1001 and 1004.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1001, EventName = "WriterStopped", Level = LogLevel.Critical, Message = "{Store}: the writer stopped")]
    public static partial void WriterStopped(ILogger logger, Exception exception, string store);

    [LoggerMessage(EventId = 1002, EventName = "BatchRefused", Level = LogLevel.Warning, Message = "{Store}: PostgreSQL refused a batch of {Count} ({SqlState}); committing its halves separately")]
    public static partial void BatchRefused(ILogger logger, string store, int count, string sqlState);

    [LoggerMessage(EventId = 1003, EventName = "BatchFailedDatabaseAway", Level = LogLevel.Warning, Message = "{Store}: committing a batch of {Count} failed: the database is away")]
    public static partial void BatchFailedDatabaseAway(ILogger logger, Exception exception, string store, int count);

    [LoggerMessage(EventId = 1004, EventName = "BatchFailed", Level = LogLevel.Error, Message = "{Store}: committing a batch of {Count} failed")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string store, int count);

    [LoggerMessage(EventId = 1005, EventName = "KeptConnectionDeadWhenIdle", Level = LogLevel.Warning, Message = "{Store}: the kept connection was dead after {IdleSeconds:F0} s idle; opening a new one")]
    public static partial void KeptConnectionDeadWhenIdle(ILogger logger, string store, double idleSeconds);

    [LoggerMessage(EventId = 1006, EventName = "KeptConnectionDeadResent", Level = LogLevel.Warning, Message = "{Store}: the kept connection was dead ({Reason}); committing the batch again on a new one")]
    public static partial void KeptConnectionDeadResent(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1007, EventName = "BatchCommitted", Level = LogLevel.Debug, Message = "{Store}: committed a batch of {Count}")]
    public static partial void BatchCommitted(ILogger logger, string store, int count);

    [LoggerMessage(EventId = 1008, EventName = "WriterSummary", Level = LogLevel.Information, Message = "{Store}: {Items} committed in {Batches} batches (mean {Mean:0.0}, largest {Largest}; a commit took {CommitMs:0.00} ms on average)")]
    public static partial void WriterSummary(ILogger logger, string store, long items, long batches, double mean, int largest, double commitMs);

    [LoggerMessage(EventId = 1020, EventName = "MigrationApplied", Level = LogLevel.Information, Message = "Applied schema migration {Version} {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);
}
