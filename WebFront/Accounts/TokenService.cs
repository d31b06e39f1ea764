using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using GoChat.Grains.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace GoChat.WebFront.Accounts;

/// <summary>What a valid token says: whose it is, and the token version it was issued with.</summary>
public sealed record TokenClaims(long UserId, int TokenVersion);

/// <summary>
/// Issues and checks the session tokens all three dialects share: HS256 JWTs carrying the user
/// id and the account's token version. A token is good while its signature and lifetime hold and
/// its version is the account's current one; logout bumps the version, revoking older tokens.
/// The signing key comes from GoChat:Jwt:SigningKey, or is generated once and kept in the
/// database so every node of a cluster shares it.
/// </summary>
public sealed class TokenService(NpgsqlDataSource db, IConfiguration config, IGrainFactory grains, TimeProvider time)
{
    const string Issuer = "gochat";
    public const string VersionClaim = "ver";
    const string KeyName = "jwt-signing-key";

    readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    readonly TimeSpan _lifetime = TimeSpan.FromDays(config.GetValue("GoChat:Jwt:LifetimeDays", 30));
    readonly Lazy<Task<SymmetricSecurityKey>> _key = new(() => LoadKeyAsync(db, config["GoChat:Jwt:SigningKey"]));

    public async Task<string> IssueAsync(long userId, int tokenVersion)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _lifetime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [VersionClaim] = tokenVersion,
            },
            SigningCredentials = new SigningCredentials(await _key.Value, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Whose the token is, or null when it is malformed, forged, expired or revoked.</summary>
    public async Task<TokenClaims?> AuthenticateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 4096) return null;
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Issuer,
            IssuerSigningKey = await _key.Value,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromMinutes(1),
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } e && e > time.GetUtcNow().UtcDateTime && (notBefore is null || notBefore <= time.GetUtcNow().UtcDateTime.AddMinutes(1)),
        });
        if (!result.IsValid
            || !result.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var sub)
            || !long.TryParse(sub as string, out var userId)
            || !result.Claims.TryGetValue(VersionClaim, out var ver)
            || !int.TryParse(Convert.ToString(ver, System.Globalization.CultureInfo.InvariantCulture), out var version))
            return null;
        var current = await grains.GetGrain<IUserGrain>(userId).GetTokenVersion();
        return current == version ? new TokenClaims(userId, version) : null;
    }

    static async Task<SymmetricSecurityKey> LoadKeyAsync(NpgsqlDataSource db, string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            var bytes = Encoding.UTF8.GetBytes(configured);
            if (bytes.Length < 32) throw new InvalidOperationException("GoChat:Jwt:SigningKey must be at least 32 bytes long.");
            return new SymmetricSecurityKey(bytes);
        }
        await using var command = db.CreateCommand("""
            WITH generated AS (
                INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
            SELECT value FROM generated UNION ALL SELECT value FROM server_secrets WHERE name = $1 LIMIT 1
            """);
        command.Parameters.AddWithValue(KeyName);
        command.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(64));
        return new SymmetricSecurityKey((byte[])(await command.ExecuteScalarAsync())!);
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id; only call on an authenticated request.</summary>
    public static long UserId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The token version the request was authenticated with; only call on an authenticated request.</summary>
    public static int TokenVersion(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(TokenService.VersionClaim)!, System.Globalization.CultureInfo.InvariantCulture);
}
