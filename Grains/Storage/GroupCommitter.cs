using Microsoft.Extensions.Logging;
using Npgsql;

namespace GoChat.Grains.Storage;

/// <summary>
/// Group commit for small writes (likes, follows, comments): concurrent writes are sent as one
/// NpgsqlBatch in one transaction (one round trip, one commit), in the order they were queued, and
/// each caller is answered after that commit (<see cref="CommitBatcher{TItem,TResult}"/>) with the
/// number of rows its own statement changed, so callers adjust counters only for real changes.
/// A statement PostgreSQL refuses fails only its own caller (the batcher commits the rest again
/// without it), but each refusal costs its batch extra commits: validate first, use ON CONFLICT.
/// </summary>
public sealed class GroupCommitter : IAsyncDisposable
{
    const int MaxBatch = 256;

    readonly CommitBatcher<NpgsqlBatchCommand, int> _writes;

    public GroupCommitter(NpgsqlDataSource db, ILogger<GroupCommitter> logger)
    {
        _writes = new CommitBatcher<NpgsqlBatchCommand, int>("group commit", MaxBatch, db, Commit, logger);
    }

    /// <summary>Queues a write; completes when it is committed, with the rows it inserted, updated or deleted.</summary>
    public Task<int> Write(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return _writes.Enqueue(command);
    }

    /// <summary>Runs on the batcher's writer thread, which does synchronous I/O (see <see cref="CommitBatcher{TItem,TResult}"/>).</summary>
    static IReadOnlyList<int> Commit(NpgsqlConnection connection, IReadOnlyList<NpgsqlBatchCommand> commands)
    {
        using var tx = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, tx);
        foreach (var command in commands) batch.BatchCommands.Add(command);
        batch.ExecuteNonQuery();
        tx.Commit();
        return commands.Select(c => c.RecordsAffected).ToList();
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();
}
