using GoChat.Grains.Configuration;
using GoChat.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoChat.Silo.Database;

/// <summary>
/// Where GoChat's data lives: the server named by ConnectionStrings:GoChat, or else an
/// embedded PostgreSQL under GoChat:DataDir. Either way the schema is brought up to date
/// before any silo starts.
/// </summary>
public sealed class GoChatDatabase
{
    public required string ConnectionString { get; init; }

    /// <summary>The embedded server, when GoChat runs its own.</summary>
    public EmbeddedPostgres? Embedded { get; init; }

    public static async Task<GoChatDatabase> OpenAsync(IConfiguration configuration, ILogger logger, CancellationToken ct = default)
    {
        var connectionString = configuration.GetConnectionString("GoChat");
        var options = Settings.Read(configuration, DatabaseOptions.Section, new DatabaseOptionsValidator());
        EmbeddedPostgres? embedded = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            embedded = await EmbeddedPostgres.StartAsync(options.DataDir, options.PostgresBinDir, options.EmbeddedPostgresPort, logger, ct);
            connectionString = embedded.ConnectionString;
        }
        try
        {
            await SchemaMigrator.MigrateAsync(connectionString, logger, ct);
        }
        catch
        {
            if (embedded is not null) await embedded.DisposeAsync();
            throw;
        }
        return new GoChatDatabase { ConnectionString = connectionString, Embedded = embedded };
    }

    /// <summary>Stops the embedded server once the host has stopped everything that uses it.</summary>
    public void StopWith(IHostApplicationLifetime lifetime)
    {
        if (Embedded is { } embedded)
            lifetime.ApplicationStopped.Register(() => embedded.DisposeAsync().AsTask().GetAwaiter().GetResult());
    }
}
