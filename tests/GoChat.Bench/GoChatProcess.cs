using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GoChat.Bench;

/// <summary>Starts the Release build of GoChat with a fresh data directory (so it runs its own PostgreSQL).</summary>
public static partial class GoChatProcess
{
    public static async Task<(ServerProcess Server, string DataDir)> StartAsync(params string[] settings)
    {
        var dll = await LocateOrBuildAsync();
        var dataDir = Path.Combine(Path.GetTempPath(), $"gochat-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDir);
        var server = await ServerProcess.StartAsync("GoChat", dll,
        [
            $"--GoChat:DataDir={dataDir}",
            "--GoChat:Security:SignInPermitsPerMinute=1000000",
            // Each direct sender sends as fast as its acks come back (hundreds a second), far past a
            // person's limit; the limits' own cost on the send path is still paid (docs/performance.md).
            "--GoChat:Limits:MessagesPerSecond=1000000",
            "--GoChat:Limits:MessageBurst=1000000",
            "--GoChat:Silo:Port=0",
            .. settings,
        ], "/readyz", TimeSpan.FromMinutes(2));
        server.DataDir = dataDir;
        return (server, dataDir);
    }

    /// <summary>The embedded PostgreSQL's connection string, from the data directory's secret and the port GoChat logged.</summary>
    public static string EmbeddedConnectionString(ServerProcess server, string dataDir)
    {
        var password = File.ReadAllText(Path.Combine(dataDir, "postgres.secret")).Trim();
        var port = server.Log.Select(l => PostgresPort().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value
            ?? throw new InvalidOperationException("GoChat did not log the embedded PostgreSQL's port");
        return $"Host=127.0.0.1;Port={port};Username=gochat;Password={password};Database=gochat";
    }

    static async Task<string> LocateOrBuildAsync()
    {
        var root = RepositoryRoot();
        var dll = Path.Combine(root, "WebFront", "bin", "Release", "net10.0", "GoChat.WebFront.dll");
        if (File.Exists(dll) && !OlderThanSources(root, File.GetLastWriteTimeUtc(dll))) return dll;
        Progress.Line($"building GoChat (Release) in {root}: the build is {(File.Exists(dll) ? "older than the sources" : "missing")}");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "WebFront", "-c", "Release", "-nologo", "-v", "q"]) { WorkingDirectory = root })!;
        await build.WaitForExitAsync();
        if (build.ExitCode == 0 && File.Exists(dll)) return dll;
        if (!File.Exists(dll)) throw new InvalidOperationException("dotnet build WebFront -c Release failed");
        Progress.Line("WARNING: the Release build failed; measuring the older build that is there");
        return dll;
    }

    static readonly string[] SourceProjects = ["WebFront", "Silo", "Grains", "Grains.Interfaces"];

    static bool OlderThanSources(string root, DateTime built) =>
        SourceProjects.Select(p => Path.Combine(root, p)).Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".sql", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > built);

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GoChat.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find GoChat.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"Embedded PostgreSQL is running on 127\.0\.0\.1:(\d+)")]
    private static partial Regex PostgresPort();
}
