using GoChat.Grains.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace GoChat.WebFront.Accounts;

/// <summary>
/// Who may use which native route. The default policy (every RequireAuthorization() and the hub's
/// [Authorize]) wants a signed-in caller whose password is settled: a session whose password an
/// administrator reset gets 403 everywhere but on the routes of <see cref="SignedIn"/> (reading the
/// profile, choosing the new password, logging out). A refusal's problem detail says why.
/// </summary>
internal static class AccountPolicies
{
    public const string SignedIn = "signed-in";

    /// <summary>Carried by a session whose password an administrator reset (the token service found it so).</summary>
    public const string PasswordResetClaim = "gochat:password_reset";

    public static IServiceCollection AddAccountPolicies(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, PasswordSettledHandler>();
        services.AddSingleton<AuthorizationMiddlewareResultHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenProblems>();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(PasswordSettled.Requirement).Build())
            .AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        return services;
    }
}

/// <summary>No password reset by an administrator is waiting to be replaced.</summary>
internal sealed class PasswordSettled : IAuthorizationRequirement
{
    public static readonly PasswordSettled Requirement = new();
}

internal sealed class PasswordSettledHandler : AuthorizationHandler<PasswordSettled>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PasswordSettled requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        if (context.User.HasClaim(c => c.Type == AccountPolicies.PasswordResetClaim))
            context.Fail(new AuthorizationFailureReason(this, AccountRules.PasswordResetPending));
        else
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>A 403 whose requirement said why answers with that reason as its problem detail; everything else as usual.</summary>
internal sealed class ForbiddenProblems(AuthorizationMiddlewareResultHandler usual, IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault() is { } reason)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = reason.Message },
            });
            return;
        }
        await usual.HandleAsync(next, context, policy, authorizeResult);
    }
}
