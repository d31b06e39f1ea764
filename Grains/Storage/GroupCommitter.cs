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

    readonly CommitBatcher<Statement, int> _writes;

    public GroupCommitter(NpgsqlDataSource db, ILogger<GroupCommitter> logger)
    {
        _writes = new CommitBatcher<Statement, int>("group commit", MaxBatch, db, Commit, logger);
    }

    /// <summary>One queued write: its SQL with positional parameters ($1, $2, ...).</summary>
    sealed record Statement(string Sql, object?[] Parameters);

    /// <summary>Queues a write; completes when it is committed, with the rows it inserted, updated or deleted.</summary>
    public Task<int> Write(string sql, params object?[] parameters) => _writes.Enqueue(new Statement(sql, parameters));

    /// <summary>
    /// Runs on the batcher's writer thread, which does synchronous I/O (see <see cref="CommitBatcher{TItem,TResult}"/>).
    /// The batch commands are made afresh for each commit: a write committed again (its batch was
    /// refused) goes on a new connection, and Npgsql's commands remember statements prepared on the old one.
    /// </summary>
    static IReadOnlyList<int> Commit(NpgsqlConnection connection, IReadOnlyList<Statement> statements)
    {
        using var tx = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, tx);
        foreach (var statement in statements)
        {
            var command = new NpgsqlBatchCommand(statement.Sql);
            foreach (var value in statement.Parameters) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            batch.BatchCommands.Add(command);
        }
        batch.ExecuteNonQuery();
        tx.Commit();
        var affected = new int[statements.Count];
        for (var i = 0; i < affected.Length; i++) affected[i] = batch.BatchCommands[i].RecordsAffected;
        return affected;
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();
}
