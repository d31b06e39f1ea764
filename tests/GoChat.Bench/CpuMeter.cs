using System.Diagnostics;

namespace GoChat.Bench;

/// <summary>
/// Where the CPU went during a run, from /proc: the server process, this bench (the clients), and the rest
/// of the machine (for GoChat mostly its PostgreSQL). Percentages are of one core (200 = both cores of two).
/// </summary>
public sealed class CpuMeter
{
    const double TicksPerSecond = 100; // USER_HZ on Linux
    readonly ServerProcess? _server;
    readonly long _machineBusy0, _server0;
    readonly TimeSpan _bench0;
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public CpuMeter(ServerProcess? server)
    {
        _server = server;
        _machineBusy0 = MachineBusyTicks();
        _server0 = ProcessTicks(server?.Pid);
        _bench0 = Process.GetCurrentProcess().TotalProcessorTime;
    }

    /// <summary>Adds serverCpuPct, benchCpuPct and otherCpuPct (machine minus both) to <paramref name="extra"/>.</summary>
    public void Report(Dictionary<string, object> extra)
    {
        if (!File.Exists("/proc/stat")) return;
        var seconds = _clock.Elapsed.TotalSeconds;
        var machine = (MachineBusyTicks() - _machineBusy0) / TicksPerSecond / seconds * 100;
        var server = (ProcessTicks(_server?.Pid) - _server0) / TicksPerSecond / seconds * 100;
        var bench = (Process.GetCurrentProcess().TotalProcessorTime - _bench0).TotalSeconds / seconds * 100;
        extra["serverCpuPct"] = Math.Round(server);
        extra["benchCpuPct"] = Math.Round(bench);
        extra["otherCpuPct"] = Math.Round(Math.Max(0, machine - server - bench));
    }

    static long MachineBusyTicks()
    {
        if (!File.Exists("/proc/stat")) return 0;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return fields.Sum() - fields[3] - fields[4]; // minus idle and iowait
    }

    static long ProcessTicks(int? pid)
    {
        var path = $"/proc/{pid}/stat";
        if (pid is null || !File.Exists(path)) return 0;
        var text = File.ReadAllText(path);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }
}
