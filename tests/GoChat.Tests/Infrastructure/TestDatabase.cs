using GoChat.Silo.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GoChat.Tests.Infrastructure;

/// <summary>
/// One throwaway embedded PostgreSQL for the whole test run (GoChat's own embedded mechanism,
/// under a temporary directory), and a fresh empty database per test host.
/// </summary>
public static class TestDatabase
{
    static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync);

    static async Task<EmbeddedPostgres> StartAsync()
    {
        var dir = NewTempDirectory("gochat-tests-pg");
        var server = await EmbeddedPostgres.StartAsync(dir, binDir: null, port: 0, NullLogger.Instance);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return server;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateAsync()
    {
        var server = await Server.Value;
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server.ConnectionStringFor("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return server.ConnectionStringFor(name);
    }

    /// <summary>A new directory under the temp folder that the postgres system user can traverse.</summary>
    public static string NewTempDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
