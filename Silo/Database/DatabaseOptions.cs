using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Silo.Database;

/// <summary>
/// Where GoChat's data lives (keys directly under GoChat). The connection string itself is
/// ConnectionStrings:GoChat; without one GoChat runs its own PostgreSQL under <see cref="DataDir"/>.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "GoChat";

    /// <summary>The data directory: the embedded PostgreSQL, its password, and media unless GoChat:Media:Dir says otherwise.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Directory with initdb and pg_ctl; empty means pg_ctl on PATH, else the newest /usr/lib/postgresql/*/bin.</summary>
    public string? PostgresBinDir { get; set; }

    /// <summary>Loopback port of the embedded PostgreSQL; 0 picks a free one.</summary>
    public int EmbeddedPostgresPort { get; set; }
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) => new Settings.Check(DatabaseOptions.Section)
        .Require(!string.IsNullOrWhiteSpace(options.DataDir) && options.DataDir.IndexOfAny(Path.GetInvalidPathChars()) < 0, nameof(options.DataDir), "must be a directory path")
        .Require(options.PostgresBinDir is null || options.PostgresBinDir.IndexOfAny(Path.GetInvalidPathChars()) < 0, nameof(options.PostgresBinDir), "must be a directory path")
        .InRange(options.EmbeddedPostgresPort, 0, 65535, nameof(options.EmbeddedPostgresPort))
        .Result;
}
