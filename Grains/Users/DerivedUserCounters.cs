using Dapper;
using Npgsql;

namespace GoChat.Grains.Users;

/// <summary>
/// A user's counters, held in memory by their grain but derived from the tables: loaded by one
/// query, then moved only by committed writes the grain is told about. Each load gets a new epoch.
/// A writer reads the epoch before its commit and hands it back with the change: if that epoch is
/// still current and no load is under way, the counters were loaded before the commit and the
/// change is added; otherwise a load that starts after the request counts the commit in. So a
/// change is never counted twice (a load after the commit retires the epoch it was sent with) and
/// never lost (a writer that cannot deliver it asks for a load instead). Single-threaded, like the
/// grain that owns it.
/// </summary>
sealed class DerivedUserCounters(long userId, NpgsqlDataSource db)
{
    UserCounters _value = UserCounters.Zero;
    bool _loading;
    bool _loadRequested;
    TaskCompletionSource? _nextLoad;
    TaskCompletionSource? _currentLoad;

    public UserCounters Value => _value;

    /// <summary>Changes whenever the counters are loaded; empty until the first load succeeds or after one failed.</summary>
    public Guid Epoch { get; private set; }

    /// <summary>True after a load failed: the counters may miss a change until a load succeeds.</summary>
    public bool Stale => Epoch == Guid.Empty;

    public Task Apply(CounterChange change, Guid epochBeforeCommit)
    {
        if (epochBeforeCommit != Epoch || _loading || Stale) return Load();
        _value = _value.Plus(change);
        return Task.CompletedTask;
    }

    /// <summary>For reads: completes once the counters are loaded (joining a load under way, if any).</summary>
    public Task EnsureLoaded() =>
        !Stale ? Task.CompletedTask : _nextLoad?.Task ?? (_loading ? _currentLoad!.Task : Load());

    /// <summary>Completes after a load that started after this call (a load already under way may predate a commit).</summary>
    public Task Load()
    {
        _loadRequested = true;
        _nextLoad ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = _nextLoad.Task;
        if (!_loading)
        {
            _loading = true;
            _ = LoadLoop();
        }
        return done;
    }

    /// <summary>Runs loads until none is asked for; catches everything, so nobody needs to observe it.</summary>
    async Task LoadLoop()
    {
        try
        {
            while (_loadRequested)
            {
                _loadRequested = false;
                var round = _currentLoad = _nextLoad!;
                _nextLoad = null;
                try
                {
                    _value = await Count();
                    Epoch = Guid.NewGuid();
                    round.SetResult();
                }
                catch (Exception e)
                {
                    Epoch = Guid.Empty;
                    round.SetException(e);
                }
            }
        }
        finally
        {
            _loading = false;
        }
    }

    async Task<UserCounters> Count()
    {
        await using var connection = await db.OpenConnectionAsync();
        var (following, followers, given, received, works) = await connection.QuerySingleAsync<(long, long, long, long, long)>("""
            SELECT (SELECT count(*) FROM follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = @userId AND u.deleted_at IS NULL),
                   (SELECT count(*) FROM follows f JOIN users u ON u.id = f.follower_id WHERE f.followee_id = @userId AND u.deleted_at IS NULL),
                   (SELECT count(*) FROM favorites WHERE user_id = @userId),
                   (SELECT count(*) FROM favorites f JOIN videos v ON v.id = f.video_id WHERE v.author_id = @userId),
                   (SELECT count(*) FROM videos WHERE author_id = @userId)
            """, new { userId });
        return new UserCounters(following, followers, given, received, works);
    }
}
