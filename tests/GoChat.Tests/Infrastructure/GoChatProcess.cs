using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GoChat.WebFront;

namespace GoChat.Tests.Infrastructure;

/// <summary>GoChat run as its own process, the way the README runs it, so a test can kill it.</summary>
public sealed class GoChatProcess : IDisposable
{
    readonly Process _process;
    public Uri BaseAddress { get; }

    GoChatProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Starts GoChat with no connection string (so it runs its own PostgreSQL) and waits until /readyz says ready.</summary>
    public static async Task<GoChatProcess> StartAsync(string dataDir, int siloPort, TimeSpan readyWithin)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[] { typeof(WebFrontApp).Assembly.Location, $"--urls=http://127.0.0.1:{port}", $"--GoChat:DataDir={dataDir}", $"--GoChat:Silo:Port={siloPort}" })
            start.ArgumentList.Add(arg);
        start.Environment.Remove("ConnectionStrings__GoChat");
        var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var gochat = new GoChatProcess(process, new Uri($"http://127.0.0.1:{port}"));
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
        throw new TimeoutException($"GoChat did not become ready within {readyWithin} (exited: {process.HasExited}):\n{string.Join('\n', output.TakeLast(30))}");
    }

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
