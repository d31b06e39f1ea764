using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace GoChat.WebFront.Accounts;

/// <summary>
/// The key that signs and checks session tokens: GoChat:Jwt:SigningKey, or one generated once and
/// kept in the database so every node of a cluster shares it. Loaded at start-up
/// (<see cref="SigningKeyWarmUp"/>) or by the first request needing it, whichever comes first; one
/// load at a time, shared by everyone waiting. A load that failed is not kept: the next use tries
/// again, so a node never stays unable to sign people in.
/// </summary>
internal sealed class SigningKey
{
    const string KeyName = "jwt-signing-key";
    const int MaxLoadAttempts = 3;

    readonly NpgsqlDataSource _db;
    readonly ILogger<SigningKey> _logger;
    readonly Lock _gate = new();
    Task<SymmetricSecurityKey>? _key;

    public SigningKey(NpgsqlDataSource db, IOptions<JwtOptions> options, ILogger<SigningKey> logger)
    {
        _db = db;
        _logger = logger;
        // A configured key's length was checked at start-up (JwtOptionsValidator).
        if (options.Value.SigningKey is { Length: > 0 } configured)
            _key = Task.FromResult(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configured)));
    }

    public bool Loaded => _key is { IsCompletedSuccessfully: true };

    /// <summary>The key; throws <see cref="SigningKeyUnavailableException"/> when it cannot be loaded just now.</summary>
    public Task<SymmetricSecurityKey> GetAsync()
    {
        var key = _key;
        if (key is not null && !key.IsFaulted) return key;
        lock (_gate)
        {
            if (_key is null || _key.IsFaulted) _key = LoadAsync();
            return _key;
        }
    }

    async Task<SymmetricSecurityKey> LoadAsync()
    {
        try
        {
            return new SymmetricSecurityKey(await ReadOrCreateAsync());
        }
        catch (Exception e)
        {
            SignInLog.SigningKeyLoadFailed(_logger, e);
            throw new SigningKeyUnavailableException(e);
        }
    }

    /// <summary>
    /// Stores a new key unless one is there, then reads the one that is. Two statements, not one:
    /// a statement sees the rows committed when it began, so when another node's key is committed
    /// while this INSERT waits on it, only a statement begun afterwards can read it.
    /// </summary>
    async Task<byte[]> ReadOrCreateAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            await using (var insert = _db.CreateCommand(
                "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value"))
            {
                insert.Parameters.AddWithValue(KeyName);
                insert.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(64));
                if (await insert.ExecuteScalarAsync() is byte[] created) return created;
            }
            await using (var select = _db.CreateCommand("SELECT value FROM server_secrets WHERE name = $1"))
            {
                select.Parameters.AddWithValue(KeyName);
                if (await select.ExecuteScalarAsync() is byte[] stored) return stored;
            }
            // Deleted between the two (an operator replacing the key): store one again.
            if (attempt == MaxLoadAttempts) throw new InvalidOperationException("the token signing key kept disappearing from server_secrets");
        }
    }
}

/// <summary>This node cannot sign or check tokens yet: its signing key could not be loaded.</summary>
internal sealed class SigningKeyUnavailableException(Exception cause)
    : Exception("the token signing key could not be loaded", cause);

/// <summary>Loads the signing key at start-up, in the background, trying again until it is loaded.</summary>
internal sealed class SigningKeyWarmUp(SigningKey key, TimeProvider time) : BackgroundService
{
    static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var wait = FirstRetry; !stoppingToken.IsCancellationRequested; wait = Min(wait * 2, MaxRetry))
        {
            try
            {
                await key.GetAsync().WaitAsync(stoppingToken);
                return;
            }
            catch (SigningKeyUnavailableException)
            {
                // Logged where it happened; a request may meanwhile have loaded it.
            }
            await Task.Delay(wait, time, stoppingToken);
        }
    }

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>Ready only when the node can sign people in: its signing key is loaded.</summary>
internal sealed class SigningKeyCheck(SigningKey key) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(key.Loaded
            ? HealthCheckResult.Healthy("token signing key loaded")
            : HealthCheckResult.Unhealthy("token signing key not loaded yet"));
}
