using System.Diagnostics;
using GoChat.Silo.Database;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GoChat.Tests.Operations.Failover;

/// <summary>
/// A cluster as deployed, on loopback: one PostgreSQL of its own (so it can be restarted without
/// disturbing other tests), two WebFronts and one headless Silo, each its own process that a test
/// can kill, stop and start again on the same ports.
/// </summary>
public sealed class FailoverCluster : IAsyncDisposable
{
    readonly string _dir;
    readonly EmbeddedPostgres _postgres;

    public IReadOnlyList<ClusterNode> Fronts { get; }
    public ClusterNode Silo { get; }
    public IEnumerable<ClusterNode> Nodes => [.. Fronts, Silo];
    public string ConnectionString => _postgres.ConnectionString;

    FailoverCluster(string dir, EmbeddedPostgres postgres, IReadOnlyList<ClusterNode> fronts, ClusterNode silo)
    {
        _dir = dir;
        _postgres = postgres;
        Fronts = fronts;
        Silo = silo;
    }

    /// <summary>Starts PostgreSQL, then the three nodes together; <paramref name="settings"/> go to every node.</summary>
    public static async Task<FailoverCluster> StartAsync(params string[] settings)
    {
        var dir = TestDatabase.NewTempDirectory("gochat-failover");
        var postgres = await EmbeddedPostgres.StartAsync(dir, binDir: null, port: 0, NullLogger.Instance);
        string[] common =
        [
            $"--ConnectionStrings:GoChat={postgres.ConnectionString}",
            "--GoChat:Security:SignInPermitsPerMinute=100000",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        var cluster = new FailoverCluster(dir, postgres,
            [new ClusterNode("web1", headless: false, common), new ClusterNode("web2", headless: false, common)],
            new ClusterNode("silo1", headless: true, common));
        try
        {
            await Task.WhenAll(cluster.Nodes.Select(n => n.StartAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// <c>pg_ctl restart -m fast</c>, as an operator restarts the database: every session is ended, and
    /// new ones are refused until it is back (a second or two).
    /// </summary>
    public async Task RestartDatabaseAsync()
    {
        var pgCtl = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin", "pg_ctl"))
            .Where(File.Exists)
            .OrderDescending()
            .First();
        var postgres = Path.Combine(_dir, "postgres");
        // -l: the restarted server writes to its log, not to (and holding open) this pipe.
        string[] command = [pgCtl, "-D", Path.Combine(postgres, "data"), "-l", Path.Combine(postgres, "postgres.log"), "restart", "-m", "fast", "-w", "-t", "60"];
        if (Environment.IsPrivilegedProcess) command = ["runuser", "-u", "postgres", "--", .. command];
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_ctl restart failed: {await output}{await errors}");
        // The test's own pooled sessions (it reads the membership table and the messages) ended too.
        using var pooled = new NpgsqlConnection(ConnectionString);
        NpgsqlConnection.ClearPool(pooled);
    }

    /// <summary>
    /// kill -9 of <paramref name="node"/>, then the time until the cluster has marked it dead in the
    /// membership table (polled every 50 ms).
    /// </summary>
    public async Task<TimeSpan> KillAndTimeDeathAsync(ClusterNode node)
    {
        var deadBefore = await DeadEntriesAsync(node.Name);
        var clock = Stopwatch.StartNew();
        node.Kill();
        while (await DeadEntriesAsync(node.Name) == deadBefore)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{node.Name} was not declared dead within 30 s of its kill");
            await Task.Delay(50);
        }
        return clock.Elapsed;
    }

    // Status 6 = Dead in the Orleans membership table.
    Task<long> DeadEntriesAsync(string siloName) =>
        Sql.ScalarAsync<long>(ConnectionString, $"SELECT count(*) FROM OrleansMembershipTable WHERE Status = 6 AND SiloName = '{siloName}'");

    /// <summary>
    /// No false eviction: every node still runs, the three are the cluster's active silos, and the only
    /// dead entries are the <paramref name="ended"/> predecessors the test killed or stopped itself (a
    /// silo voted dead while alive would add one, and stop itself).
    /// </summary>
    public async Task AssertOnlyEndedSilosAreDeadAsync(int ended)
    {
        Assert.All(Nodes, n => Assert.True(n.Running, $"{n.Name} is no longer running:\n{n.LastOutput(40)}"));
        // Status 3 = Active, 6 = Dead in the Orleans membership table.
        Assert.Equal(3L, await Sql.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3"));
        Assert.Equal((long)ended, await Sql.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 6"));
    }

    /// <summary>The last lines each node printed, for a failure message.</summary>
    public string Logs(int lines = 25) =>
        string.Join("\n", Nodes.Select(n => $"--- {n.Name}:\n{n.LastOutput(lines)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) node.Dispose();
        await _postgres.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One node of a <see cref="FailoverCluster"/>: its HTTP and silo ports stay the same across restarts.</summary>
public sealed class ClusterNode(string name, bool headless, string[] common) : IDisposable
{
    static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    readonly string[] _args =
    [
        .. common,
        $"--GoChat:Silo:Name={name}",
        $"--GoChat:Silo:Port={GoChatProcess.FreePort()}",
    ];
    GoChatProcess? _process;
    string _previousOutput = "";

    public string Name => name;
    public Uri Address { get; } = new($"http://127.0.0.1:{GoChatProcess.FreePort()}");
    public bool Running => _process is { HasExited: false };

    /// <summary>Starts the node and waits until its /readyz answers 200.</summary>
    public async Task StartAsync()
    {
        Assert.False(Running, $"{name} is running already");
        if (_process is not null)
        {
            _previousOutput += "\n" + _process.Output;
            _process.Dispose();
        }
        _process = await GoChatProcess.StartNodeAsync(headless, Address, ReadyWithin, [$"--urls={Address}", .. _args]);
    }

    /// <summary>kill -9: the node leaves no word anywhere; the cluster must notice by itself.</summary>
    public void Kill() => _process!.Kill();

    /// <summary>SIGTERM, as a service manager or Kubernetes stops a node; waits for it to exit.</summary>
    public void Stop() =>
        Assert.True(_process!.Terminate(TimeSpan.FromSeconds(30)), $"{name} did not stop within 30 s of SIGTERM");

    /// <summary>Activations of a grain type ("conversation" for ConversationGrain) on this node, from its /metrics (Orleans' orleans_grains).</summary>
    public async Task<int> ActivationsAsync(string grainType)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await http.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("orleans_grains{", StringComparison.Ordinal) && line.Contains($"grain_type=\"{grainType}\"", StringComparison.Ordinal))
            .Sum(line => (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public string LastOutput(int lines) =>
        string.Join('\n', (_previousOutput + "\n" + (_process?.Output ?? "")).Split('\n').Where(l => l.Length > 0).TakeLast(lines));

    public void Dispose() => _process?.Dispose();
}
