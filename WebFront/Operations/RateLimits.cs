using System.Threading.RateLimiting;
using GoChat.Grains.Configuration;
using GoChat.WebFront.Operations;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Operations;

/// <summary>
/// Limits on the routes that check passwords (register and sign-in in every dialect), per client
/// address, against password guessing and account farming. A refusal is written in the dialect
/// of the route that was refused.
/// </summary>
internal static class RateLimits
{
    public const string SignIn = "sign-in";

    public static IServiceCollection AddGoChatRateLimits(this IServiceCollection services)
    {
        services.AddSettings<SecurityOptions, SecurityOptionsValidator>(SecurityOptions.Section);
        return services.AddRateLimiter(options =>
        {
            options.AddPolicy(SignIn, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.SignInPermitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            options.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                const string message = "too many sign-in attempts from your address; try again in a minute";
                http.Response.Headers.RetryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Apis.NativeProblems.RetryAfterSeconds(wait) : "60";
                IResult result = http.Request.Path.StartsWithSegments("/douyin")
                    ? Apis.DouyinDialect.Fail(Grains.DomainError.RateLimited(message))
                    : http.Request.Path.StartsWithSegments("/user")
                        ? Apis.GinchatDialect.Fail(message)
                        : Results.Problem(detail: message, statusCode: StatusCodes.Status429TooManyRequests);
                http.Response.StatusCode = StatusCodes.Status200OK; // the legacy dialects answer errors in an HTTP 200
                await result.ExecuteAsync(http);
            };
        });
    }
}
