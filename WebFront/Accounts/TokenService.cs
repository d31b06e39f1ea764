using Microsoft.Extensions.Options;
using System.Security.Claims;
using GoChat.Grains.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoChat.WebFront.Accounts;

/// <summary>
/// What a valid token says: whose it is, the token version and session it was issued for, and
/// whether an administrator reset the account's password (the session may then only choose a new one).
/// </summary>
internal sealed record TokenClaims(long UserId, int TokenVersion, Guid SessionId, bool MustChangePassword = false);

/// <summary>
/// Issues and checks the session tokens all three dialects share: HS256 JWTs carrying the user
/// id, the account's token version and the session id ("sid"). A token is good while its signature
/// and lifetime hold, its version is the account's current one and its session has not ended
/// (the user grain answers both from memory); logout bumps the version, revoking older tokens, and
/// ending one session revokes that session's tokens alone. A token without a session id (issued
/// before sessions were kept) is refused: its holder signs in again.
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

    /// <summary>When a session opened now ends, with its token.</summary>
    public DateTime NewSessionExpiry() => time.GetUtcNow().UtcDateTime + _lifetime;

    /// <summary>A token of a session, valid until the session's end (a replacement token keeps its session's).</summary>
    public async Task<string> IssueAsync(long userId, int tokenVersion, Guid sessionId, DateTime expires)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [JwtRegisteredClaimNames.Sid] = sessionId.ToString("N"),
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
            || !int.TryParse(Convert.ToString(ver, System.Globalization.CultureInfo.InvariantCulture), out var version)
            || !result.Claims.TryGetValue(JwtRegisteredClaimNames.Sid, out var sid)
            || !Guid.TryParseExact(sid as string, "N", out var sessionId))
            return null;
        return await grains.GetGrain<IUserGrain>(userId).CheckSession(version, sessionId) switch
        {
            SessionCheck.Valid => new TokenClaims(userId, version, sessionId),
            SessionCheck.PasswordChangeRequired => new TokenClaims(userId, version, sessionId, MustChangePassword: true),
            _ => null,
        };
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

    /// <summary>The session the request's token belongs to; only call on an authenticated request.</summary>
    public static Guid SessionId(this ClaimsPrincipal user) => Guid.ParseExact(user.FindFirstValue(JwtRegisteredClaimNames.Sid)!, "N");

    /// <summary>The caller as the token service checked it; only call on an authenticated request.</summary>
    public static TokenClaims Caller(this ClaimsPrincipal user) =>
        new(user.UserId(), user.TokenVersion(), user.SessionId(), user.HasClaim(c => c.Type == AccountPolicies.PasswordResetClaim));
}
