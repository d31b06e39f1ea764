using System.Diagnostics;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Browser;

/// <summary>
/// A real coturn (Debian package coturn, installed by deploy/prerequisites.sh --tests) bound to
/// 127.0.0.1 on a free port, with TURN REST credentials (use-auth-secret) as docs/calls.md sets it
/// up, relaying on loopback only. Stopped (its own process only) when disposed.
/// </summary>
public sealed class Coturn : IAsyncDisposable
{
    public const string Executable = "/usr/bin/turnserver";

    readonly Process _process;
    readonly string _directory;

    public int Port { get; }
    public string Secret { get; }
    public string Url => $"turn:127.0.0.1:{Port}?transport=udp";

    Coturn(Process process, string directory, int port, string secret)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Secret = secret;
    }

    public static async Task<Coturn> StartAsync(string secret)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} is missing: run 'bash deploy/prerequisites.sh --tests' (apt-get install coturn)");
        var directory = TestDatabase.NewTempDirectory("gochat-coturn");
        var port = GoChatProcess.FreePort();
        var relayBase = 40000 + Random.Shared.Next(0, 2000) * 10;
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "-n", // no configuration file: only what is given here
            "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={port}",
            $"--min-port={relayBase}", $"--max-port={relayBase + 9}",
            "--use-auth-secret", $"--static-auth-secret={secret}", "--realm=gochat.test",
            // Loopback is denied to peers by default; these tests relay between pages of this machine.
            "--allow-loopback-peers",
            "--no-tls", "--no-dtls", "--no-cli", "--no-rfc5780", "--fingerprint",
            $"--userdb={Path.Combine(directory, "turndb")}", $"--pidfile={Path.Combine(directory, "turnserver.pid")}",
            $"--log-file={Path.Combine(directory, "turn.log")}", "--simple-log",
        })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var coturn = new Coturn(process, directory, port, secret);
        // Ready once it answers on its port (a TCP listener opens with the UDP one).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"turnserver exited with {process.ExitCode}: {coturn.Log()}");
            try
            {
                using var tcp = new System.Net.Sockets.TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return coturn;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
        await coturn.DisposeAsync();
        throw new InvalidOperationException("turnserver did not start listening within 15 s");
    }

    /// <summary>coturn's log (for a failure message).</summary>
    public string Log()
    {
        var file = Directory.EnumerateFiles(_directory, "turn*.log").FirstOrDefault();
        return file is null ? "(no log)" : File.ReadAllText(file);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}
