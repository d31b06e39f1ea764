using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GoChat.Silo.Database;

/// <summary>
/// A private PostgreSQL cluster under the GoChat data directory, for installs with no
/// connection string. Created with initdb on first start, started with pg_ctl on a free
/// loopback port with a generated password, and stopped when GoChat stops.
///
/// Crash safety: a watchdog process holds the read end of a pipe whose write end only this
/// process holds; when this process dies for any reason the pipe closes and the watchdog stops
/// the cluster. The next start also stops a cluster still running from a dead process, and an
/// exclusive lock on the data directory keeps two live GoChat processes from sharing it.
/// PostgreSQL refuses to run as root, so as root every command runs as the postgres user.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string DatabaseName = "gochat";
    const string SuperUser = "gochat";
    const string SystemUser = "postgres";
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    readonly string _binDir;
    readonly string _dataDir;
    readonly bool _asRoot;
    readonly ILogger _logger;
    FileStream? _lock;
    Process? _watchdog;
    int _stopped;

    public int Port { get; private set; }
    public string Password { get; private set; } = "";
    public string ConnectionString => ConnectionStringFor(DatabaseName);

    EmbeddedPostgres(string binDir, string dataDir, bool asRoot, ILogger logger)
    {
        _binDir = binDir;
        _dataDir = dataDir;
        _asRoot = asRoot;
        _logger = logger;
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates (first time) and starts the cluster kept under <paramref name="goChatDataDir"/>/postgres.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string goChatDataDir, string? binDir, int port, ILogger logger, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(goChatDataDir);
        Directory.CreateDirectory(root);
        var server = new EmbeddedPostgres(FindBinaries(binDir), Path.Combine(root, "postgres"), Environment.IsPrivilegedProcess, logger);
        try
        {
            server.TakeLock(root);
            await server.InitializeAsync(ct);
            await server.StopLeftoverAsync(ct);
            server.Port = port > 0 ? port : FreeLoopbackPort();
            await server.RunAsync(ct);
            await server.CreateDatabaseAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    string PgData => Path.Combine(_dataDir, "data");
    string SecretFile => Path.Combine(Path.GetDirectoryName(_dataDir)!, "postgres.secret");

    static string FindBinaries(string? configured)
    {
        static bool HasBinaries(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

        if (!string.IsNullOrEmpty(configured))
            return HasBinaries(configured) ? configured : throw NoBinaries($"GoChat:PostgresBinDir ({configured}) does not contain initdb and pg_ctl");
        if (ExternalCommand.FindOnPath("pg_ctl") is { } onPath && HasBinaries(Path.GetDirectoryName(onPath)!))
            return Path.GetDirectoryName(onPath)!;
        const string debianRoot = "/usr/lib/postgresql";
        var installed = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => HasBinaries(x.Dir))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
                .FirstOrDefault()
            : null;
        return installed ?? throw NoBinaries("the server binaries (initdb, pg_ctl) are neither on PATH nor under /usr/lib/postgresql/*/bin");
    }

    static CannotStartException NoBinaries(string problem) => new(
        $"GoChat needs PostgreSQL. No connection string is configured, so it tried to run its own PostgreSQL, but {problem}. " +
        "Either install PostgreSQL (Debian/Ubuntu: sudo apt-get install -y postgresql) or point GoChat at an existing server with " +
        "ConnectionStrings__GoChat=\"Host=...;Port=5432;Username=...;Password=...;Database=...\".");

    void TakeLock(string root)
    {
        try
        {
            _lock = new FileStream(Path.Combine(root, "gochat.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new CannotStartException($"Another GoChat process is using the data directory {root}. Stop it, or give this one its own GoChat__DataDir.");
        }
    }

    async Task InitializeAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_dataDir);
        if (_asRoot)
        {
            await ChownToPostgresAsync(_dataDir, ct);
            await RequirePostgresCanEnterAsync(ct);
        }

        if (File.Exists(Path.Combine(PgData, "PG_VERSION")))
        {
            if (!File.Exists(SecretFile))
                throw new InvalidOperationException($"The embedded PostgreSQL at {PgData} exists but its password file {SecretFile} is missing.");
            Password = (await File.ReadAllTextAsync(SecretFile, ct)).Trim();
            return;
        }

        // initdb into a scratch directory and rename it into place, so an interrupted first
        // start never leaves a half-initialised cluster behind.
        SiloLog.EmbeddedCreating(_logger, PgData);
        var scratch = Path.Combine(_dataDir, "data.init");
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var passwordFile = Path.Combine(_dataDir, "initdb.pw");
        await WritePrivateAsync(passwordFile, Password, ct);
        try
        {
            if (_asRoot) await ChownToPostgresAsync(passwordFile, ct);
            await PgAsync("initdb", ["-D", scratch, "-U", SuperUser, $"--pwfile={passwordFile}", "--auth=scram-sha-256",
                "--encoding=UTF8", "--locale=C", "--no-instructions"], ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        await WritePrivateAsync(SecretFile, Password, ct);
        Directory.Move(scratch, PgData);
    }

    async Task StopLeftoverAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(PgData, "postmaster.pid"))) return;
        var (status, _) = await PgRunAsync("pg_ctl", ["-D", PgData, "status"], ct);
        if (status != 0) return; // a stale pid file; the postmaster cleans it up itself
        SiloLog.EmbeddedLeftover(_logger);
        await PgAsync("pg_ctl", ["-D", PgData, "stop", "-m", "fast", "-w", "-t", "60"], ct);
    }

    async Task RunAsync(CancellationToken ct)
    {
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300";
        await PgAsync("pg_ctl", ["-D", PgData, "-l", Path.Combine(_dataDir, "postgres.log"), "-o", options, "-w", "-t", "60", "start"], ct);
        StartWatchdog();
        SiloLog.EmbeddedRunning(_logger, Port, PgData);
    }

    void StartWatchdog()
    {
        // setsid: a new session, so a Ctrl+C meant for GoChat does not kill the watchdog first.
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, UseShellExecute = false };
        var script = "cat >/dev/null; exec \"$0\" -D \"$1\" stop -m fast -w -t 60 >/dev/null 2>&1";
        foreach (var arg in AsPostgres(["sh", "-c", script, Path.Combine(_binDir, "pg_ctl"), PgData])) start.ArgumentList.Add(arg);
        _watchdog = Process.Start(start);
    }

    async Task CreateDatabaseAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(DatabaseName);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Stops the cluster (fast shutdown: open sessions are ended, committed data is safe).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (Port != 0)
            {
                using var timeout = new CancellationTokenSource(StopTimeout);
                var (exit, output) = await PgRunAsync("pg_ctl", ["-D", PgData, "stop", "-m", "fast", "-w", "-t", "60"], timeout.Token);
                if (exit == 0) SiloLog.EmbeddedStopped(_logger);
                else SiloLog.EmbeddedStopFailed(_logger, output);
            }
        }
        finally
        {
            if (_watchdog is not null)
            {
                _watchdog.StandardInput.Close();
                _watchdog.Dispose();
            }
            _lock?.Dispose();
        }
    }

    async Task PgAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var (exit, output) = await PgRunAsync(tool, args, ct);
        if (exit != 0) throw new InvalidOperationException($"{tool} failed with exit code {exit}: {output}");
    }

    Task<(int, string)> PgRunAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var command = AsPostgres([Path.Combine(_binDir, tool), .. args]);
        return ExternalCommand.RunAsync(command[0], command.Skip(1), ct);
    }

    string[] AsPostgres(string[] command) => _asRoot ? ["runuser", "-u", SystemUser, "--", .. command] : command;

    static async Task ChownToPostgresAsync(string path, CancellationToken ct)
    {
        var (exit, output) = await ExternalCommand.RunAsync("chown", [$"{SystemUser}:", path], ct);
        if (exit != 0)
            throw new CannotStartException(
                $"GoChat runs as root, and PostgreSQL refuses to, so it runs PostgreSQL as the '{SystemUser}' user; " +
                $"giving {path} to that user failed ({output}). Install PostgreSQL's package (it creates the user) or run GoChat as a normal user.");
    }

    /// <summary>
    /// The postgres user owns its directory but must also pass through every directory above it; a
    /// data directory made with mode 700 by root (or one under /root) stops it, and initdb would only
    /// say "Permission denied" about a file inside. Name the directory in the way and the fixes.
    /// </summary>
    async Task RequirePostgresCanEnterAsync(CancellationToken ct)
    {
        if (await PostgresCanEnterAsync(_dataDir, ct)) return;
        var blocked = _dataDir;
        foreach (var dir in FromRoot(_dataDir))
        {
            if (await PostgresCanEnterAsync(dir, ct)) continue;
            blocked = dir;
            break;
        }
        throw new CannotStartException(
            $"GoChat runs as root, and PostgreSQL refuses to, so it runs its PostgreSQL as the '{SystemUser}' user, " +
            $"which may not enter {blocked} (on the way to its data in {_dataDir}). Either let that user pass through it " +
            $"(chmod o+x {blocked}: others may then enter it but not list it; or, with the acl package, setfacl -m u:{SystemUser}:x {blocked}), " +
            $"or keep GoChat's data where that user can reach it (GoChat__DataDir=/var/lib/gochat), or run GoChat as a normal user, " +
            "or give it an existing PostgreSQL (ConnectionStrings__GoChat).");
    }

    static Stack<string> FromRoot(string dir)
    {
        var chain = new Stack<string>();
        for (var d = dir; d is not null; d = Path.GetDirectoryName(d)) chain.Push(d);
        return chain;
    }

    static async Task<bool> PostgresCanEnterAsync(string dir, CancellationToken ct) =>
        (await ExternalCommand.RunAsync("runuser", ["-u", SystemUser, "--", "test", "-x", dir], ct)).ExitCode == 0;

    static async Task WritePrivateAsync(string path, string content, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var file = new FileStream(path, options))
        await using (var writer = new StreamWriter(file))
            await writer.WriteAsync(content.AsMemory(), ct);
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
