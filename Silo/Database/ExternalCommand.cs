using System.Diagnostics;
using System.Text;

namespace GoChat.Silo.Database;

/// <summary>Runs a program to completion and reports its output when it fails.</summary>
static class ExternalCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString().Trim());
    }

    public static async Task<string> RunCheckedAsync(string program, IEnumerable<string> args, CancellationToken ct)
    {
        var argList = args.ToList();
        var (exit, output) = await RunAsync(program, argList, ct);
        if (exit != 0)
            throw new InvalidOperationException($"'{program} {string.Join(' ', argList)}' failed with exit code {exit}: {output}");
        return output;
    }

    /// <summary>The full path of a program found on PATH, or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
