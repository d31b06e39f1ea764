using GoChat.Grains;

namespace GoChat.WebFront.Apis;

/// <summary>The native dialect's errors: RFC 7807 problem details with a status per kind of failure.</summary>
internal static class NativeProblems
{
    public static IResult ToProblem(this DomainError error) => Results.Problem(
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

    public static IResult BadRequest(string detail) => DomainError.Invalid(detail).ToProblem();
}
