using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GoChat.Grains.Storage;

/// <summary>
/// Applies the SQL scripts embedded under Storage/Migrations, in name order, each exactly once.
/// Every script runs in its own transaction together with the row that records it, and the whole
/// run holds a database-wide advisory lock, so servers starting together against an empty
/// database apply each script once and never see a half-made schema.
/// </summary>
public static class SchemaMigrator
{
    const long AdvisoryLockKey = 0x60C4A7_5C4E3A; // arbitrary, fixed: "GoChat schema"

    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>Brings the database up to date; returns the versions it applied in this call.</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(string connectionString, ILogger logger, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await Execute(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await Execute(connection, """
                CREATE TABLE IF NOT EXISTS gochat_schema_version (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, ct);

            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM gochat_schema_version", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetInt32(0));

            var done = new List<int>();
            foreach (var migration in Embedded.Where(m => !applied.Contains(m.Version)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var apply = new NpgsqlCommand(migration.Sql, connection, tx)) await apply.ExecuteNonQueryAsync(ct);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO gochat_schema_version (version, name) VALUES ($1, $2)", connection, tx))
                {
                    record.Parameters.AddWithValue(migration.Version);
                    record.Parameters.AddWithValue(migration.Name);
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                StorageLog.MigrationApplied(logger, migration.Version, migration.Name);
                done.Add(migration.Version);
            }
            return done;
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("migrations/", StringComparison.Ordinal)))
        {
            var name = Path.GetFileNameWithoutExtension(resource["migrations/".Length..]);
            var version = int.Parse(name[..name.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            migrations.Add(new Migration(version, name, text.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        if (migrations.Select(m => m.Version).Distinct().Count() != migrations.Count)
            throw new InvalidOperationException("Two embedded migrations share a version number.");
        return migrations;
    }
}
