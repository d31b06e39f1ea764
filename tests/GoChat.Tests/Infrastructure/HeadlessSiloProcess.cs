using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace GoChat.Tests.Infrastructure;

/// <summary>A headless silo run as its own process, joined to a test host's cluster, so a test can kill it as a crash would.</summary>
public sealed class HeadlessSiloProcess : IDisposable
{
    readonly Process _process;

    /// <summary>Its address in the cluster.</summary>
    public SiloAddress Address { get; }

    HeadlessSiloProcess(Process process, SiloAddress address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Starts a headless silo over the host's database and waits (bounded) until the host sees it active.</summary>
    public static async Task<HeadlessSiloProcess> StartAsync(GoChatHost host, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in (string[])[typeof(GoChat.Silo.Program).Assembly.Location, $"--ConnectionStrings:GoChat={host.ConnectionString}",
                     $"--GoChat:Silo:Port={GoChatProcess.FreePort()}", "--Logging:LogLevel:Default=Warning", .. settings])
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var membership = host.Services.GetRequiredService<IClusterMembershipService>();
        var local = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var other = membership.CurrentSnapshot.Members.Values.FirstOrDefault(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local));
            if (other is not null) return new HeadlessSiloProcess(process, other.SiloAddress);
            await Task.Delay(200);
        }
        if (!process.HasExited) process.Kill();
        process.Dispose();
        throw new TimeoutException("the headless silo did not join the cluster within 60 s");
    }

    /// <summary>SIGKILL: the silo leaves no word in the membership table; the cluster must notice on its own.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
