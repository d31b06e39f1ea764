using GoChat.Grains.Storage;
using GoChat.Silo.Database;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoChat.Tests.Operations;

public sealed class SchemaTests
{
    [Fact]
    public async Task Servers_migrating_one_empty_database_at_once_apply_each_migration_once()
    {
        var connectionString = await TestDatabase.CreateAsync();
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance)));
        var applied = runs.SelectMany(r => r).OrderBy(v => v).ToList();
        Assert.Equal(SchemaMigrator.Embedded.Select(m => m.Version), applied);
        Assert.Empty(await SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance));
        Assert.Equal((long)SchemaMigrator.Embedded.Count, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM gochat_schema_version"));
    }

    [Fact]
    public async Task Every_query_the_Orleans_providers_ask_for_is_installed()
    {
        var connectionString = await TestDatabase.CreateAsync();
        await SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance);
        var keys = await Sql.ColumnAsync(connectionString, "SELECT QueryKey FROM OrleansQuery");
        string[] required =
        [
            "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey",
            "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey",
            "CleanupDefunctSiloEntriesKey", "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
        ];
        Assert.All(required, key => Assert.Contains(key, keys));
    }

    [Fact]
    public async Task Without_postgres_binaries_the_error_names_both_fixes()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GoChat:DataDir"] = TestDatabase.NewTempDirectory("gochat-nobin"),
            ["GoChat:PostgresBinDir"] = "/nonexistent/postgres/bin",
        }).Build();
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => GoChatDatabase.OpenAsync(config, NullLogger.Instance));
        Assert.Contains("apt-get install -y postgresql", error.Message);
        Assert.Contains("ConnectionStrings__GoChat", error.Message);
    }
}
