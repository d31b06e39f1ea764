using System.Diagnostics;
using System.Net;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoChat.Tests.Operations;

/// <summary>The endpoints orchestrators probe (Compose healthchecks, Kubernetes probes) on both kinds of process.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task Once_the_host_begins_to_stop_readyz_answers_503_while_healthz_and_requests_are_still_served()
    {
        await using var host = await GoChatHost.StartAsync();
        using var client = host.Client();
        var deadline = DateTime.UtcNow.AddSeconds(30); // started is not yet ready: the signing key loads in the background
        while (DateTime.UtcNow < deadline && (await client.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK) await Task.Delay(100);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        // What SIGTERM does first; the silo and Kestrel stop only after (here: not until disposal).
        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task A_silo_still_joining_the_cluster_is_not_ready()
    {
        // A member the table calls active but that never answers: a joining silo must reach every
        // active member before it may join, so it keeps joining for as long as this ghost seems alive.
        var database = await TestDatabase.CreateAsync();
        await GoChat.Grains.Storage.SchemaMigrator.MigrateAsync(database, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await Sql.ExecuteAsync(database, "INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES ('gochat')");
        await Sql.ExecuteAsync(database, $"""
            INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, StartTime, IAmAliveTime)
            VALUES ('gochat', '127.0.0.1', {GoChatProcess.FreePort()}, 1, 'ghost', 'ghost', 3, now(), now())
            """);
        var port = GoChatProcess.FreePort();
        using var silo = StartHeadlessSilo(port, database);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            // The HTTP port opens only once the silo is active, so readiness (and the Kubernetes
            // startup probe) fails until then (A_headless_silo_given_an_HTTP_address_... shows it ready once joined).
            var joining = DateTime.UtcNow.AddSeconds(8);
            while (DateTime.UtcNow < joining)
            {
                Assert.NotEqual(HttpStatusCode.OK, await StatusOrNull(http, "/readyz"));
                Assert.False(silo.HasExited, "the silo gave up joining");
                await Task.Delay(200);
            }
        }
        finally
        {
            if (!silo.HasExited) silo.Kill();
            silo.WaitForExit(10_000);
        }
    }

    static async Task<HttpStatusCode?> StatusOrNull(HttpClient http, string path)
    {
        try { return (await http.GetAsync(path)).StatusCode; }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    static Process StartHeadlessSilo(int httpPort, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(GoChat.Silo.Program).Assembly.Location])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_HTTP_PORTS"] = "";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["ConnectionStrings__GoChat"] = connectionString;
        start.Environment["GoChat__Silo__Port"] = GoChatProcess.FreePort().ToString();
        var silo = Process.Start(start)!;
        silo.OutputDataReceived += (_, _) => { };
        silo.ErrorDataReceived += (_, _) => { };
        silo.BeginOutputReadLine();
        silo.BeginErrorReadLine();
        return silo;
    }

    [Fact]
    public async Task A_headless_silo_given_an_HTTP_address_answers_healthz_and_readyz_like_a_WebFront()
    {
        var port = GoChatProcess.FreePort();
        using var silo = StartHeadlessSilo(port, await TestDatabase.CreateAsync());
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
