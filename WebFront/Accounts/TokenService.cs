using Microsoft.Extensions.Options;
using System.Security.Claims;
using GoChat.Grains.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoChat.WebFront.Accounts;

/// <summary>What a valid token says: whose it is, and the token version it was issued with.</summary>
internal sealed record TokenClaims(long UserId, int TokenVersion);

/// <summary>
/// Issues and checks the session tokens all three dialects share: HS256 JWTs carrying the user
/// id and the account's token version. A token is good while its signature and lifetime hold and
/// its version is the account's current one; logout bumps the version, revoking older tokens.
/// The key they are signed with is <see cref="SigningKey"/>'s, shared by every node of a cluster.
/// </summary>
internal sealed class TokenService(SigningKey signingKey, IOptions<JwtOptions> options, IGrainFactory grains, TimeProvider time)
{
    const string Issuer = "gochat";
    public const string VersionClaim = "ver";

    readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    readonly TimeSpan _lifetime = TimeSpan.FromDays(options.Value.LifetimeDays);

    /// <summary>Completes when tokens can be issued; throws <see cref="SigningKeyUnavailableException"/> while they cannot.</summary>
    public Task ReadyToIssueAsync() => signingKey.GetAsync();

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
            SigningCredentials = new SigningCredentials(await signingKey.GetAsync(), SecurityAlgorithms.HmacSha256),
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
            IssuerSigningKey = await signingKey.GetAsync(),
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
}

internal static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id; only call on an authenticated request.</summary>
    public static long UserId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The token version the request was authenticated with; only call on an authenticated request.</summary>
    public static int TokenVersion(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(TokenService.VersionClaim)!, System.Globalization.CultureInfo.InvariantCulture);
}
