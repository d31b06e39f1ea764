using GoChat.Grains;
using GoChat.Grains.Storage;
using GoChat.Grains.Users;
using GoChat.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;

namespace GoChat.Tests.Infrastructure;

/// <summary>
/// GoChat's grains on Orleans' TestCluster (one in-process silo) over a real, migrated PostgreSQL
/// database, with no WebFront: for tests of grain rules that need no HTTP, hub or socket.
/// </summary>
public class GrainCluster : IAsyncLifetime
{
    TestCluster? _cluster;

    public IGrainFactory Grains => _cluster!.GrainFactory;

    /// <summary>The test cluster's client, for grain observers made in the test.</summary>
    public IClusterClient Client => _cluster!.Client;

    /// <summary>The address of the cluster's (only) silo.</summary>
    public Orleans.Runtime.SiloAddress SiloAddress => _cluster!.Primary!.SiloAddress;

    public async Task InitializeAsync()
    {
        var connectionString = await TestDatabase.CreateAsync();
        await SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance);
        var builder = new TestClusterBuilder(1);
        builder.Properties["ConnectionStrings:GoChat"] = connectionString;
        foreach (var (key, value) in Settings) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<Configurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <summary>Settings for the silo ("GoChat:Calls:RingTimeout" = "00:00:01"), for a fixture that needs other than the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    /// <summary>Creates an account through its username grain, as registration does; returns its id.</summary>
    public async Task<long> UserAsync(string username)
    {
        var registered = await Grains.GetGrain<IUsernameGrain>(username.ToLowerInvariant()).Register(new NewAccount(username, "secret-pw", null));
        Assert.True(registered.Error is null, registered.Error?.Message);
        return registered.Value!.Id;
    }

    sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.Services.AddGoChatStores(silo.Configuration.GetConnectionString("GoChat")!);
            silo.AddMemoryGrainStorage("Default");
        }
    }
}
