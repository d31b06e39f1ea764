using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GoChat.Grains.Storage;

/// <summary>
/// Group commit for small writes (likes, unlikes): every write queued while the previous batch was
/// committing goes into the next batch, sent as one NpgsqlBatch in one transaction (one round
/// trip, one commit), in the order the writes were queued. Each caller's task completes once its
/// batch has committed. Writes must not fail on their own (validate first, use ON CONFLICT), since
/// one failing statement fails its whole batch.
/// </summary>
public sealed class GroupCommitter : IAsyncDisposable
{
    const int MaxBatch = 256;

    readonly NpgsqlDataSource _db;
    readonly ILogger<GroupCommitter> _logger;
    readonly Channel<(NpgsqlBatchCommand Command, TaskCompletionSource Committed)> _queue =
        Channel.CreateUnbounded<(NpgsqlBatchCommand, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _writer;
    long _batches;
    long _writes;
    int _largest;

    public GroupCommitter(NpgsqlDataSource db, ILogger<GroupCommitter> logger)
    {
        _db = db;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    public long Batches => Interlocked.Read(ref _batches);
    public long Writes => Interlocked.Read(ref _writes);
    public int LargestBatch => Volatile.Read(ref _largest);

    /// <summary>Queues a write; completes when it is committed.</summary>
    public Task Write(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((command, committed))) throw new InvalidOperationException("the server is shutting down");
        return committed.Task;
    }

    async Task WriteAsync()
    {
        var batch = new List<(NpgsqlBatchCommand Command, TaskCompletionSource Committed)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count == 0) continue;
            try
            {
                await using var connection = await _db.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                await using var npgsqlBatch = new NpgsqlBatch(connection, tx);
                foreach (var (command, _) in batch) npgsqlBatch.BatchCommands.Add(command);
                await npgsqlBatch.ExecuteNonQueryAsync();
                await tx.CommitAsync();
                foreach (var (_, committed) in batch) committed.SetResult();
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _writes, batch.Count);
                if (batch.Count > _largest) Volatile.Write(ref _largest, batch.Count);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Committing a batch of {Count} writes failed", batch.Count);
                foreach (var (_, committed) in batch) committed.SetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (Batches > 0)
            _logger.LogInformation("Group commit: {Writes} writes in {Batches} batches (mean {Mean:0.0}, largest {Largest})",
                Writes, Batches, (double)Writes / Batches, LargestBatch);
    }
}
