using GoChat.Grains.Users;
using GoChat.Silo.Telemetry;
using GoChat.WebFront.Accounts;
using Microsoft.AspNetCore.Authorization;
using Orleans.Dashboard;

namespace GoChat.WebFront.Operations;

/// <summary>
/// The Orleans dashboard at /dashboard (GoChat:Telemetry:Dashboard), behind ASP.NET Core
/// authorization: only users whose account is an administrator's (users.is_admin) are served;
/// anonymous requests get 401, other users 403. Being an administrator is looked up per request
/// (not carried in the token), so revoking it takes effect at once. A browser opens it as
/// /dashboard/?access_token=...; the token then travels in a cookie sent to /dashboard only.
/// </summary>
internal static class Dashboard
{
    public const string Path = "/dashboard";
    public const string AdminPolicy = "administrators";

    public static void AddAdministratorsPolicy(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, AdministratorHandler>();
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser()
            .AddRequirements(PasswordSettled.Requirement, new AdministratorRequirement()));
    }

    /// <summary>Carries an administrator's token to the dashboard's own requests, which a browser sends without an Authorization header.</summary>
    public const string TokenCookie = "gochat_dashboard";

    public static void MapGoChatDashboard(this WebApplication app)
    {
        if (!Telemetry.Read(app.Configuration).Dashboard) return;
        // Opened as /dashboard/?access_token=...: once that is served, the page's own requests
        // (relative URLs, no header) carry the token in a cookie scoped to the dashboard alone.
        app.Use((http, next) =>
        {
            if (http.Request.Path.StartsWithSegments(Path) && http.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token)
                http.Response.OnStarting(() =>
                {
                    if (http.Response.StatusCode == StatusCodes.Status200OK)
                        http.Response.Cookies.Append(TokenCookie, token, new CookieOptions
                        {
                            Path = Path, HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps,
                        });
                    return Task.CompletedTask;
                });
            return next(http);
        });
        app.MapOrleansDashboard(routePrefix: Path).RequireAuthorization(AdminPolicy);
    }

    sealed class AdministratorRequirement : IAuthorizationRequirement;

    sealed class AdministratorHandler(IGrainFactory grains) : AuthorizationHandler<AdministratorRequirement>
    {
        protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdministratorRequirement requirement)
        {
            if (context.User.Identity?.IsAuthenticated != true) return;
            if (await grains.GetGrain<IUserGrain>(context.User.UserId()).GetProfile() is { IsAdmin: true }) context.Succeed(requirement);
            else context.Fail(new AuthorizationFailureReason(this, "only administrators may do this"));
        }
    }
}
