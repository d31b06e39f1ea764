using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GoChat.Grains.Storage;

/// <summary>
/// The queue and writer of group commit: everything queued while the previous batch was being
/// committed goes into the next batch (up to a maximum), the batch is committed by one call, and
/// each caller's task completes with its own result only after that commit. Under load one commit
/// (one fsync) serves many callers; with no load a batch is one item and adds no delay.
/// <para>
/// The writer is a thread of its own doing synchronous I/O on a connection of its own. Async I/O
/// would put two thread-pool hand-offs on every commit (the queue waking the writer, the database's
/// answer waking it again), and under load each waited behind the hub's and Orleans' work items:
/// a commit PostgreSQL executed in 0.15 ms took 1.4 ms to come back. A blocked thread is woken
/// directly. Renting a pooled connection per batch would also wake a different PostgreSQL backend
/// each time (the pool hands out idle connections in turn), with cold caches and statements not yet
/// prepared there. When the kept connection turns out dead (the database restarted or ended the
/// session while it was idle), an idempotent store retries the batch once on a fresh connection,
/// and a store that is not checks a connection idle for over a second before sending, so callers
/// do not see it.
/// </para>
/// <para>
/// One bad write fails only its own caller. When PostgreSQL refuses a batch
/// (<see cref="DatabaseRefusal"/>: an error of its own, not a lost connection), the transaction was
/// rolled back and nothing of the batch is stored, so its halves are committed separately, down to
/// the single item at fault; every other item commits, and none is stored twice, even in a store
/// that is not idempotent. A batch with one bad item among n costs about 2 log2 n more commits.
/// </para>
/// <para>
/// The connection is the writer's alone, outside the pool, and is closed after any error: a
/// connection is never used again after one. Npgsql (10.0) can leave a connection broken when the
/// execution that auto-prepares a statement fails (the next execution of that statement fails with
/// "Received unexpected backend message DataRow"); a pooled connection would carry that to the next
/// batch or to another request.
/// </para>
/// </summary>
internal sealed class CommitBatcher<TItem, TResult> : IAsyncDisposable
{
    static readonly Meter Meter = new("GoChat.Storage");
    static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("gochat.storage.commit_batch_size");
    static readonly Histogram<double> CommitTimes = Meter.CreateHistogram<double>("gochat.storage.commit_duration", "ms");

    /// <summary>
    /// A kept connection idle this long is checked before a batch that is not idempotent: after a
    /// database restart while idle, that batch would otherwise fail (it cannot be sent again, the
    /// outcome of a commit on a dropped connection being unknown). Under load the check never runs.
    /// </summary>
    static readonly TimeSpan IdleCheckAfter = TimeSpan.FromSeconds(1);

    readonly string _name;
    readonly int _maxBatch;
    readonly NpgsqlDataSource _db;
    readonly string _ownConnectionString;
    readonly Func<NpgsqlConnection, IReadOnlyList<TItem>, IReadOnlyList<TResult>> _commit;
    readonly ILogger _logger;
    readonly bool _idempotent;
    readonly Queue<(TItem Item, TaskCompletionSource<TResult> Done)> _queue = new();
    readonly object _gate = new(); // a Monitor: the writer waits on it
    readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    bool _completed;
    bool _writerWaiting;
    long _batches;
    long _items;
    int _largest;
    long _commitTicks;
    long _lastUsed; // when the kept connection last carried a batch (writer thread only)

    /// <param name="commit">Commits a batch in one transaction on the given (open) connection and returns one result per item, in order.</param>
    /// <param name="idempotent">Committing the same batch twice gives the same results (so a batch whose connection died may be sent again).</param>
    public CommitBatcher(string name, int maxBatch, NpgsqlDataSource db, Func<NpgsqlConnection, IReadOnlyList<TItem>, IReadOnlyList<TResult>> commit,
        ILogger logger, bool idempotent = false)
    {
        _idempotent = idempotent;
        _name = name;
        _db = db;
        _ownConnectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString;
        _maxBatch = maxBatch;
        _commit = commit;
        _logger = logger;
        new Thread(WriteLoop) { IsBackground = true, Name = $"GoChat {name}" }.Start();
    }

    /// <summary>Queues an item; completes with its result once the batch holding it has committed.</summary>
    public Task<TResult> Enqueue(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_completed) throw new InvalidOperationException($"the {_name} is shutting down");
            _queue.Enqueue((item, done));
            if (_writerWaiting) Monitor.Pulse(_gate);
        }
        return done.Task;
    }

    void WriteLoop()
    {
        var batch = new List<(TItem Item, TaskCompletionSource<TResult> Done)>(_maxBatch);
        var items = new List<TItem>(_maxBatch);
        NpgsqlConnection? connection = null;
        try
        {
            while (TakeBatch(batch)) Commit(ref connection, batch, 0, batch.Count, items);
        }
        catch (Exception e)
        {
            StorageLog.WriterStopped(_logger, e, _name);
        }
        finally
        {
            connection?.Dispose();
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Commits <paramref name="count"/> items of the batch from <paramref name="start"/> and answers
    /// their callers; a refused range is split in halves (see the class comment).
    /// </summary>
    void Commit(ref NpgsqlConnection? connection, List<(TItem Item, TaskCompletionSource<TResult> Done)> batch, int start, int count,
        List<TItem> items)
    {
        items.Clear();
        for (var i = start; i < start + count; i++) items.Add(batch[i].Item);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var results = CommitOnKeptConnection(ref connection, items);
            for (var i = 0; i < count; i++) batch[start + i].Done.SetResult(results[i]);
            Record(count, Stopwatch.GetElapsedTime(started));
            return;
        }
        catch (Exception e)
        {
            // Never used again after an error (see the class comment); the next commit opens a new one.
            connection?.Dispose();
            connection = null;
            if (count > 1 && DatabaseRefusal.Caused(e))
            {
                StorageLog.BatchRefused(_logger, _name, count, ((PostgresException)e).SqlState);
                var half = count / 2;
                Commit(ref connection, batch, start, half, items);
                Commit(ref connection, batch, start + half, count - half, items);
                return;
            }
            if (DatabaseAway.Noticed(e, _db)) StorageLog.BatchFailedDatabaseAway(_logger, e, _name, count);
            else StorageLog.BatchFailed(_logger, e, _name, count);
            for (var i = start; i < start + count; i++) batch[i].Done.TrySetException(e);
        }
    }

    /// <summary>
    /// Commits on the kept connection, opening one if there is none. A kept connection found dead
    /// (the database restarted or ended the session while it was idle) is replaced: checked before
    /// the batch is sent when the batch is not idempotent, else by sending the batch again.
    /// </summary>
    IReadOnlyList<TResult> CommitOnKeptConnection(ref NpgsqlConnection? connection, List<TItem> items)
    {
        if (connection is not null && !_idempotent && Stopwatch.GetElapsedTime(_lastUsed) > IdleCheckAfter && !Alive(connection))
        {
            // A batch that is not safe to send twice goes only on a connection known to be alive.
            StorageLog.KeptConnectionDeadWhenIdle(_logger, _name, Stopwatch.GetElapsedTime(_lastUsed).TotalSeconds);
            connection.Dispose();
            connection = null;
            PoolIsDeadToo();
        }
        var kept = connection is not null;
        connection ??= OpenOwnConnection();
        _lastUsed = Stopwatch.GetTimestamp();
        try
        {
            return _commit(connection, items);
        }
        catch (NpgsqlException e) when (kept && _idempotent && connection.State != System.Data.ConnectionState.Open)
        {
            StorageLog.KeptConnectionDeadResent(_logger, _name, e.Message);
            connection.Dispose();
            PoolIsDeadToo();
            connection = OpenOwnConnection();
            return _commit(connection, items);
        }
    }

    /// <summary>
    /// The database ended the kept connection, so it ended the pool's idle connections too: empty the
    /// pool (as <see cref="DatabaseAway.Noticed"/> does), or the next request handed each would fail.
    /// </summary>
    void PoolIsDeadToo() => _db.Clear();

    /// <summary>A connection of the writer's own, with the data source's settings and credentials, outside its pool: closing it ends it.</summary>
    NpgsqlConnection OpenOwnConnection()
    {
        using var template = _db.CreateConnection();
        var own = template.CloneWith(_ownConnectionString);
        try
        {
            own.Open();
            return own;
        }
        catch
        {
            own.Dispose();
            throw;
        }
    }

    /// <summary>One round trip on a connection that has been idle: false if the database ended it.</summary>
    static bool Alive(NpgsqlConnection connection)
    {
        try
        {
            using var ping = new NpgsqlCommand("SELECT 1", connection);
            ping.ExecuteScalar();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>Waits for work and takes up to a batch of it; false once completed and drained.</summary>
    bool TakeBatch(List<(TItem Item, TaskCompletionSource<TResult> Done)> batch)
    {
        batch.Clear();
        lock (_gate)
        {
            while (_queue.Count == 0)
            {
                if (_completed) return false;
                _writerWaiting = true;
                Monitor.Wait(_gate);
                _writerWaiting = false;
            }
            while (batch.Count < _maxBatch && _queue.TryDequeue(out var next)) batch.Add(next);
        }
        return true;
    }

    void Record(int count, TimeSpan took)
    {
        // only the writer thread writes these; DisposeAsync reads them after it has ended
        _batches++;
        _items += count;
        _commitTicks += took.Ticks;
        _largest = Math.Max(_largest, count);
        BatchSizes.Record(count, new KeyValuePair<string, object?>("store", _name));
        CommitTimes.Record(took.TotalMilliseconds, new KeyValuePair<string, object?>("store", _name));
        StorageLog.BatchCommitted(_logger, _name, count);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
        await _stopped.Task;
        if (_batches > 0)
            StorageLog.WriterSummary(_logger, _name, _items, _batches, (double)_items / _batches, _largest, TimeSpan.FromTicks(_commitTicks).TotalMilliseconds / _batches);
    }
}
