using System.Globalization;
using GoChat.Grains;

namespace GoChat.WebFront.Apis;

/// <summary>The native dialect's errors: RFC 7807 problem details with a status per kind of failure.</summary>
internal static class NativeProblems
{
    public static IResult ToProblem(this DomainError error)
    {
        var problem = Results.Problem(
            detail: error.Message,
            statusCode: error.Kind switch
            {
                ErrorKind.Invalid => StatusCodes.Status400BadRequest,
                ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
                ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
                ErrorKind.NotFound => StatusCodes.Status404NotFound,
                ErrorKind.Conflict => StatusCodes.Status409Conflict,
                ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
                ErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
                _ => StatusCodes.Status400BadRequest,
            });
        return error.RetryAfter is { } wait ? new WithRetryAfter(problem, wait) : problem;
    }

    public static IResult BadRequest(string detail) => DomainError.Invalid(detail).ToProblem();

    /// <summary>Whole seconds to wait, at least one (Retry-After has no fractions).</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    sealed class WithRetryAfter(IResult problem, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds(wait);
            return problem.ExecuteAsync(http);
        }
    }
}
