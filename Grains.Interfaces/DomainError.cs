namespace GoChat.Grains;

/// <summary>What kind of failure a domain operation reports; each API dialect maps it to its own error shape.</summary>
public enum ErrorKind
{
    Invalid = 1,
    Unauthenticated = 2,
    Forbidden = 3,
    NotFound = 4,
    Conflict = 5,
    TooLarge = 6,
    RateLimited = 7,
}

/// <summary>
/// A rule the request broke, with a message fit to show to the person who sent it; a limit says
/// when asking again may succeed (<paramref name="RetryAfter"/>, sent natively as Retry-After).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DomainError(ErrorKind Kind, string Message, TimeSpan? RetryAfter = null)
{
    public static DomainError Invalid(string message) => new(ErrorKind.Invalid, message);
    public static DomainError NotFound(string message) => new(ErrorKind.NotFound, message);
    public static DomainError Conflict(string message) => new(ErrorKind.Conflict, message);
    public static DomainError Forbidden(string message) => new(ErrorKind.Forbidden, message);
    public static DomainError Unauthenticated(string message) => new(ErrorKind.Unauthenticated, message);
    public static DomainError RateLimited(string message) => new(ErrorKind.RateLimited, message);
    public static DomainError RateLimited(string message, TimeSpan retryAfter) => new(ErrorKind.RateLimited, message, retryAfter);
}

/// <summary>Either a value or the rule that prevented it.</summary>
[GenerateSerializer, Immutable]
public sealed record Result<T>(T? Value, DomainError? Error)
{
    public bool Ok => Error is null;

    public static Result<T> Success(T value) => new(value, null);
    public static Result<T> Fail(DomainError error) => new(default, error);
    public static implicit operator Result<T>(DomainError error) => Fail(error);
}
