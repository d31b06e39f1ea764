using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GoChat.WebFront;

namespace GoChat.Tests.Infrastructure;

/// <summary>GoChat run as its own process, the way the README runs it, so a test can kill it.</summary>
public sealed class GoChatProcess : IDisposable
{
    /// <summary>Variables that choose listen addresses: removed from what a test process inherits, so only the test's own apply.</summary>
    static readonly string[] AddressVariables =
        ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS"];

    readonly Process _process;
    readonly ConcurrentQueue<string> _output;
    public Uri BaseAddress { get; }

    GoChatProcess(Process process, ConcurrentQueue<string> output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    /// <summary>What the process printed so far (stdout and stderr).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts GoChat with no connection string (so it runs its own PostgreSQL) and waits until /readyz says ready.</summary>
    public static Task<GoChatProcess> StartAsync(string dataDir, int siloPort, TimeSpan readyWithin)
    {
        var port = FreePort();
        return StartAsync(new Uri($"http://127.0.0.1:{port}"), readyWithin, AppContext.BaseDirectory, new Dictionary<string, string?>(),
            [$"--urls=http://127.0.0.1:{port}", $"--GoChat:DataDir={dataDir}", $"--GoChat:Silo:Port={siloPort}"]);
    }

    /// <summary>
    /// Starts the WebFront as <c>dotnet run --project WebFront</c> does (its project folder is the working
    /// directory, so WebFront/appsettings.json applies) with <paramref name="environment"/> set, and waits
    /// until it answers ready at <paramref name="expectedAt"/>.
    /// </summary>
    public static Task<GoChatProcess> StartInProjectFolderAsync(Uri expectedAt, IReadOnlyDictionary<string, string?> environment, TimeSpan readyWithin, params string[] args) =>
        StartAsync(expectedAt, readyWithin, Path.Combine(Repository.Root, "WebFront"), environment, args);

    static async Task<GoChatProcess> StartAsync(Uri expectedAt, TimeSpan readyWithin, string workingDirectory, IReadOnlyDictionary<string, string?> environment,
        string[] args, bool headless = false)
    {
        var (process, output) = Launch(workingDirectory, environment, args, headless);
        var gochat = new GoChatProcess(process, output, expectedAt);
        using var client = new HttpClient { BaseAddress = gochat.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + readyWithin;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return gochat;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        gochat.Kill();
        throw new TimeoutException($"GoChat did not become ready at {expectedAt} within {readyWithin} (exited: {process.HasExited}):\n{string.Join('\n', output.TakeLast(30))}");
    }

    /// <summary>
    /// Starts a node of a cluster: the WebFront, or the headless Silo when <paramref name="headless"/>
    /// (given an HTTP address, it serves /readyz too), over the database in <paramref name="args"/>, and
    /// waits until it answers ready at <paramref name="expectedAt"/>.
    /// </summary>
    public static Task<GoChatProcess> StartNodeAsync(bool headless, Uri expectedAt, TimeSpan readyWithin, params string[] args) =>
        StartAsync(expectedAt, readyWithin, AppContext.BaseDirectory, new Dictionary<string, string?>(), args, headless);

    /// <summary>Runs the WebFront (as <see cref="StartInProjectFolderAsync"/>) expecting it to stop by itself; kills it after <paramref name="within"/>.</summary>
    public static async Task<(int? ExitCode, string Output)> RunUntilExitAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan within, params string[] args)
    {
        var (process, output) = Launch(Path.Combine(Repository.Root, "WebFront"), environment, args);
        using (process)
        {
            using var timeout = new CancellationTokenSource(within);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: false);
                await process.WaitForExitAsync();
                return (null, string.Join('\n', output));
            }
            process.WaitForExit(); // drains the output readers
            return (process.ExitCode, string.Join('\n', output));
        }
    }

    static (Process, ConcurrentQueue<string>) Launch(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string[] args, bool headless = false)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add((headless ? typeof(GoChat.Silo.Program) : typeof(WebFrontApp)).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("ConnectionStrings__GoChat");
        foreach (var name in AddressVariables) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    public bool HasExited => _process.HasExited;

    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    /// <summary>A graceful stop, as Ctrl+C or a service manager asks for.</summary>
    public bool Terminate(TimeSpan within)
    {
        if (_process.HasExited) return true;
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        return _process.WaitForExit(within);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
