using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Storage;

/// <summary>
/// The queue and writer loop of group commit: everything queued while the previous batch was
/// being committed goes into the next batch (up to a maximum), the batch is committed by one call,
/// and each caller's task completes with its own result only after that commit. Under load one
/// commit (one fsync) serves many callers; with no load a batch is one item and adds no delay.
/// </summary>
public sealed class CommitBatcher<TItem, TResult> : IAsyncDisposable
{
    static readonly Meter Meter = new("GoChat.Storage");
    static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("gochat.storage.commit_batch_size");

    readonly string _name;
    readonly int _maxBatch;
    readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _commit;
    readonly ILogger _logger;
    readonly Channel<(TItem Item, TaskCompletionSource<TResult> Done)> _queue =
        Channel.CreateUnbounded<(TItem, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _writer;
    long _batches;
    long _items;
    int _largest;

    /// <param name="commit">Commits a batch in one transaction and returns one result per item, in order.</param>
    public CommitBatcher(string name, int maxBatch, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> commit, ILogger logger)
    {
        _name = name;
        _maxBatch = maxBatch;
        _commit = commit;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues an item; completes with its result once the batch holding it has committed.</summary>
    public Task<TResult> Enqueue(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((item, done))) throw new InvalidOperationException($"the {_name} is shutting down");
        return done.Task;
    }

    async Task WriteAsync()
    {
        var batch = new List<(TItem Item, TaskCompletionSource<TResult> Done)>(_maxBatch);
        var items = new List<TItem>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count == 0) continue;
            items.Clear();
            items.AddRange(batch.Select(b => b.Item));
            try
            {
                var results = await _commit(items);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.SetResult(results[i]);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _items, batch.Count);
                if (batch.Count > _largest) _largest = batch.Count;
                BatchSizes.Record(batch.Count, new KeyValuePair<string, object?>("store", _name));
                if (_logger.IsEnabled(LogLevel.Debug)) _logger.LogDebug("{Store}: committed a batch of {Count}", _name, batch.Count);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "{Store}: committing a batch of {Count} failed", _name, batch.Count);
                foreach (var (_, done) in batch) done.SetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (_batches > 0)
            _logger.LogInformation("{Store}: {Items} committed in {Batches} batches (mean {Mean:0.0}, largest {Largest})",
                _name, _items, _batches, (double)_items / _batches, _largest);
    }
}
