using System.Diagnostics;
using System.Net;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Operations;

/// <summary>The endpoints orchestrators probe (Compose healthchecks, Kubernetes probes) on both kinds of process.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task A_headless_silo_given_an_HTTP_address_answers_healthz_and_readyz_like_a_WebFront()
    {
        var port = GoChatProcess.FreePort();
        var start = new ProcessStartInfo("dotnet", [typeof(GoChat.Silo.Program).Assembly.Location])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_HTTP_PORTS"] = "";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__GoChat"] = await TestDatabase.CreateAsync();
        start.Environment["GoChat__Silo__Port"] = GoChatProcess.FreePort().ToString();
        using var silo = Process.Start(start)!;
        silo.OutputDataReceived += (_, _) => { };
        silo.ErrorDataReceived += (_, _) => { };
        silo.BeginOutputReadLine();
        silo.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpStatusCode? ready = null;
            while (DateTime.UtcNow < deadline && !silo.HasExited && ready != HttpStatusCode.OK)
            {
                try { ready = (await http.GetAsync("/readyz")).StatusCode; }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(200);
            }
            Assert.Equal(HttpStatusCode.OK, ready);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/users/me")).StatusCode); // health only: no API on a silo
        }
        finally
        {
            if (!silo.HasExited) silo.Kill();
            silo.WaitForExit(10_000);
        }
    }
}
