using GoChat.Silo.Health;
using GoChat.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;

namespace GoChat.Silo;

/// <summary>A headless silo: the same grains and cluster as WebFront, without HTTP endpoints.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => StartupFailures.RunAsync(async () =>
    {
        using var host = await CreateAsync(args);
        await host.RunAsync();
    });

    /// <summary>
    /// The silo, and /healthz and /readyz when an HTTP address is configured (ASPNETCORE_URLS,
    /// ASPNETCORE_HTTP_PORTS as container images set it, Kestrel:Endpoints): orchestrators probe it like
    /// a WebFront. With none it opens no HTTP port, so it can run beside a WebFront on one machine.
    /// </summary>
    public static async Task<IHost> CreateAsync(string[] args)
    {
        var web = WebApplication.CreateBuilder(args);
        if (HealthEndpoints.AddressConfigured(web.Configuration))
        {
            AddQuietDefaults(web.Configuration);
            await web.AddGoChatSiloAsync();
            var app = web.Build();
            app.MapGoChatMetrics();
            app.MapGoChatHealth();
            return app;
        }
        var builder = Host.CreateApplicationBuilder(args);
        AddQuietDefaults(builder.Configuration);
        await builder.AddGoChatSiloAsync();
        return builder.Build();
    }

    /// <summary>Quiet defaults, below every configured source so appsettings/env/args still win.</summary>
    static void AddQuietDefaults(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Orleans"] = "Warning",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
                // Beside a WebFront on the same machine (which takes 11111) with no configuration.
                ["GoChat:Silo:Port"] = "11112",
            },
        });
}
