using System.Diagnostics;

namespace GoChat.Bench;

/// <summary>
/// Where the CPU went during a run, from /proc: the server process, GoChat's embedded PostgreSQL, this bench (the clients), and the rest
/// of the machine (anything else running). Percentages are of one core (200 = both cores of two).
/// </summary>
public sealed class CpuMeter
{
    const double TicksPerSecond = 100; // USER_HZ on Linux
    readonly ServerProcess? _server;
    readonly long _machineBusy0, _server0, _postgres0;
    readonly TimeSpan _bench0;
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public CpuMeter(ServerProcess? server)
    {
        _server = server;
        _machineBusy0 = MachineBusyTicks();
        _server0 = ProcessTicks(server?.Pid);
        _postgres0 = PostgresTicks(server);
        _bench0 = Process.GetCurrentProcess().TotalProcessorTime;
    }

    /// <summary>Adds serverCpuPct, postgresCpuPct, benchCpuPct and otherCpuPct (the rest of the machine) to <paramref name="extra"/>.</summary>
    public void Report(Dictionary<string, object> extra)
    {
        if (!File.Exists("/proc/stat")) return;
        var seconds = _clock.Elapsed.TotalSeconds;
        var machine = (MachineBusyTicks() - _machineBusy0) / TicksPerSecond / seconds * 100;
        var server = (ProcessTicks(_server?.Pid) - _server0) / TicksPerSecond / seconds * 100;
        var bench = (Process.GetCurrentProcess().TotalProcessorTime - _bench0).TotalSeconds / seconds * 100;
        var postgres = (PostgresTicks(_server) - _postgres0) / TicksPerSecond / seconds * 100;
        extra["serverCpuPct"] = Math.Round(server);
        extra["postgresCpuPct"] = Math.Round(postgres);
        extra["benchCpuPct"] = Math.Round(bench);
        extra["otherCpuPct"] = Math.Round(Math.Max(0, machine - server - postgres - bench));
    }

    static long MachineBusyTicks()
    {
        if (!File.Exists("/proc/stat")) return 0;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return fields.Sum() - fields[3] - fields[4]; // minus idle and iowait
    }

    /// <summary>CPU of the embedded PostgreSQL: the postmaster started on the data directory and its children (backends exiting in between are missed).</summary>
    static long PostgresTicks(ServerProcess? server)
    {
        if (server?.DataDir is not { } dataDir || !Directory.Exists("/proc")) return 0;
        var pids = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!)).ToList();
        // GoChat's own command line names the data directory too; PostgreSQL's is the one that is not GoChat.
        var postmasters = pids.Where(p => p != server.Pid && Read($"/proc/{p}/cmdline")?.Contains(dataDir, StringComparison.Ordinal) == true).ToHashSet();
        return pids.Where(p => postmasters.Contains(p) || postmasters.Contains(ParentOf(p))).Sum(p => ProcessTicks(p));
    }

    static int ParentOf(int pid) =>
        Read($"/proc/{pid}/stat") is { } text && text.LastIndexOf(')') is var close and > 0 ? int.Parse(text[(close + 2)..].Split(' ')[1]) : 0;

    static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    static long ProcessTicks(int? pid)
    {
        var path = $"/proc/{pid}/stat";
        if (pid is null || Read(path) is not { } text) return 0;
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }
}
