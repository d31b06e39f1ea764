using System.Net;
using System.Net.Sockets;
using GoChat.Grains.Bots;
using GoChat.Grains.Chat;
using GoChat.Grains.Configuration;
using GoChat.Grains.Media;
using GoChat.Grains.Videos;
using GoChat.Grains.Social;
using GoChat.Grains.Users;
using GoChat.Grains.Storage;
using GoChat.Silo.Database;
using GoChat.Silo.Health;
using GoChat.Silo.Telemetry;
using Orleans.Dashboard;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;

namespace GoChat.Silo;

/// <summary>The one silo configuration shared by WebFront (co-hosted) and the headless Silo.</summary>
public static class SiloSetup
{
    const string AdoNetInvariant = "Npgsql";

    /// <summary>Health checks with this tag decide readiness (/readyz); none decide liveness.</summary>
    public const string ReadyTag = "ready";

    public const int DefaultSiloPort = 11111;

    /// <summary>
    /// Opens the database (embedded or configured) and migrates it, then adds an Orleans silo
    /// that clusters and stores grain state in that database (delivery routes are in memory: ChatRouteGrain).
    /// </summary>
    public static async Task<GoChatDatabase> AddGoChatSiloAsync(this IHostApplicationBuilder builder, CancellationToken ct = default)
    {
        var config = builder.Configuration;
        var telemetry = Telemetry.Telemetry.Read(config);
        builder.Logging.UseConsoleFormat(telemetry);
        using var startupLogs = LoggerFactory.Create(logging =>
        {
            logging.AddConfiguration(config.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true);
            logging.UseConsoleFormat(telemetry);
        });
        // Checked before anything starts: a wrong endpoint must not first start a private database.
        var endpoint = SiloEndpointOptions.Read(config);
        var membership = MembershipOptions.Read(config);
        var database = await GoChatDatabase.OpenAsync(config, startupLogs.CreateLogger("GoChat.Database"), ct);

        builder.Services.AddSettings<DatabaseOptions, DatabaseOptionsValidator>(DatabaseOptions.Section);

        builder.Services.AddSingleton(database);
        builder.Services.AddGoChatStores(database.ConnectionString);
        builder.Services.AddHostedService<DatabaseLifetime>();
        builder.Services.AddHealthChecks()
            .AddCheck<NotStoppingCheck>("not-stopping", tags: [ReadyTag])
            .AddCheck<SiloActiveCheck>("silo", tags: [ReadyTag])
            .AddCheck<DatabaseCheck>("database", tags: [ReadyTag]);

        builder.AddGoChatTelemetry(telemetry, endpoint.Name);
        var connectionString = database.ConnectionString;
        builder.UseOrleans(silo =>
        {
            // Trace context carried across grain calls costs a filter per call: only when traces go somewhere.
            if (Telemetry.Telemetry.ExportsOtlp(telemetry, config)) silo.AddActivityPropagation();
            if (telemetry.Dashboard) silo.AddDashboard();
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = endpoint.ClusterId;
                o.ServiceId = endpoint.ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = endpoint.Name);
            silo.Configure<ClusterMembershipOptions>(membership.ApplyTo);
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = endpoint.AdvertisedAddress;
                o.SiloPort = PortOrFree(endpoint.Port);
                o.GatewayPort = endpoint.GatewayPort;
            });
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = AdoNetInvariant;
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage("Default", o =>
            {
                o.Invariant = AdoNetInvariant;
                o.ConnectionString = connectionString;
            });
            silo.AddIncomingGrainCallFilter<PortableGrainErrors>();
        });
        return database;
    }

    /// <summary>The stores grains use (GoChat's tables) and the settings grains read, over one database.</summary>
    public static IServiceCollection AddGoChatStores(this IServiceCollection services, string connectionString)
    {
        services.AddGrainSettings();
        services.AddSingleton(_ => NpgsqlDataSource.Create(TunedConnectionString(connectionString)));
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<AdminAudit>();
        services.AddSingleton<AccountErasure>();
        services.AddSingleton<FollowStore>();
        services.AddSingleton<MessageLog>();
        services.AddSingleton<Grains.Calls.CallStore>();
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<GroupStore>();
        services.AddSingleton<MediaStore>();
        services.AddSingleton<VideoStore>();
        services.AddSingleton<EngagementStore>();
        services.AddSingleton<GroupCommitter>();
        services.AddMetrics();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<IMediaAccessPolicy, ConversationMediaAccess>();
        services.AddGoChatBots();
        return services;
    }

    /// <summary>
    /// GoChat's own pool (Orleans' providers open theirs): statements it runs over and over (the
    /// message insert, history pages, conversation lists) are prepared automatically, and a connection
    /// going back to the pool is not reset (GoChat leaves no session state behind), which saves
    /// PostgreSQL a DISCARD ALL per use. Either is kept as given when the connection string names it.
    /// </summary>
    static string TunedConnectionString(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) tuned.MaxAutoPrepare = 64;
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) tuned.NoResetOnClose = true;
        return tuned.ConnectionString;
    }

    /// <summary>
    /// A fixed silo port by default: a silo restarted on the same address and port supersedes the
    /// entry its crashed predecessor left in the membership table at once, instead of waiting
    /// minutes for it to be voted dead. 0 means "any free port" (tests, throwaway silos).
    /// </summary>
    static int PortOrFree(int port)
    {
        if (port > 0) return port;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the embedded database after every other hosted service (the silo included) has stopped.</summary>
    sealed class DatabaseLifetime(GoChatDatabase database, IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            database.StopWith(lifetime);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
