using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Accounts;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;token&gt;", or "?access_token=" (the SignalR browser
/// mechanism), or on the Orleans dashboard its cookie (<see cref="Operations.Dashboard"/>), through
/// <see cref="TokenService"/> so revoked tokens fail at once.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "GoChatToken";

    /// <summary>
    /// HttpContext.Items key: the <see cref="Stopwatch"/> timestamp taken just before the token was
    /// checked with its user grain (see <see cref="Realtime.SessionRevocation"/>).
    /// </summary>
    public const string CheckedAtItem = "GoChat.TokenCheckedAt";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken(Request) ?? Request.Query["access_token"].FirstOrDefault()
            ?? (Request.Path.StartsWithSegments(Operations.Dashboard.Path) ? Request.Cookies[Operations.Dashboard.TokenCookie] : null);
        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();
        Context.Items[CheckedAtItem] = Stopwatch.GetTimestamp();
        if (await tokens.AuthenticateAsync(token) is not { } claims) return AuthenticateResult.Fail("invalid, expired or revoked token");
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, claims.UserId.ToString(CultureInfo.InvariantCulture)),
            new Claim(TokenService.VersionClaim, claims.TokenVersion.ToString(CultureInfo.InvariantCulture)),
            new Claim(Microsoft.IdentityModel.JsonWebTokens.JwtRegisteredClaimNames.Sid, claims.SessionId.ToString("N")),
        ], SchemeName);
        if (claims.MustChangePassword) identity.AddClaim(new Claim(AccountPolicies.PasswordResetClaim, "true"));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "Unauthorized", Detail = failure?.Message ?? "a bearer token is required" },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 403, Title = "Forbidden", Detail = "you may not do this" },
        });
    }

    /// <summary>The token of an "Authorization: Bearer" header, if there is one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault();
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
