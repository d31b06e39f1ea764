using System.Text.Json;
using GoChat.Grains;
using GoChat.Grains.Users;

namespace GoChat.WebFront.Apis;

/// <summary>The douyin user object (snake_case on the wire).</summary>
internal sealed record DouyinUser(
    long Id, string Name, long FollowCount, long FollowerCount, bool IsFollow, string Avatar,
    string BackgroundImage, string Signature, long TotalFavorited, long WorkCount, long FavoriteCount);

/// <summary>
/// How the douyin dialect speaks: always HTTP 200, a status_code (0 = success) and status_msg,
/// snake_case fields, parameters from the query string and/or form fields.
/// </summary>
internal static class DouyinDialect
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>A status_code for each kind of failure; any non-zero value means failure to the app.</summary>
    public static int StatusCode(ErrorKind kind) => (int)kind;

    public static IResult Ok(IReadOnlyDictionary<string, object?>? fields = null)
    {
        var body = new Dictionary<string, object?> { ["status_code"] = 0, ["status_msg"] = "success" };
        if (fields is not null) foreach (var (key, value) in fields) body[key] = value;
        return Results.Json(body, Json);
    }

    public static IResult Fail(DomainError error) => Fail(StatusCode(error.Kind), error.Message);

    public static IResult Fail(string message) => Fail(DomainError.Invalid(message));

    /// <summary>
    /// A failure with its status_code: a domain error's kind, or for the server's own failures the
    /// HTTP status it stands for (500, 503); a request that could not be read (4xx) is bad input,
    /// or too large (413) or rate limited (429).
    /// </summary>
    public static IResult Fail(int status, string message) =>
        Results.Json(new Dictionary<string, object?>
        {
            ["status_code"] = status switch
            {
                StatusCodes.Status413PayloadTooLarge => StatusCode(ErrorKind.TooLarge),
                StatusCodes.Status429TooManyRequests => StatusCode(ErrorKind.RateLimited),
                >= 400 and < 500 => StatusCode(ErrorKind.Invalid),
                _ => status,
            },
            ["status_msg"] = message,
        }, Json);

    /// <summary>
    /// Who a listing route is about: user_id, or the token's user when absent; an existing account
    /// either way (or, with <paramref name="allowDeleted"/>, one its owner deleted, shown as "Deleted
    /// user"). Also returns the (optional) viewer, for is_follow/is_favorite.
    /// </summary>
    public static async Task<(LegacyParams Params, long? Viewer, long Subject, IResult? Refusal)> SubjectAsync(
        HttpRequest request, Accounts.TokenService tokens, IGrainFactory grains, bool allowDeleted = false)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await CallerAsync(p, tokens, required: false);
        if (caller.Error is { } authError) return (p, null, 0, Fail(authError));
        if (!p.TryGetLong("user_id", out var userId, out var idError)) return (p, caller.Value, 0, Fail(idError!));
        if ((userId ?? caller.Value) is not { } subject) return (p, caller.Value, 0, Fail("user_id or token is required"));
        var user = grains.GetGrain<IUserGrain>(subject);
        if (await user.GetProfile() is null && !(allowDeleted && await user.IsClosed()))
            return (p, caller.Value, subject, Fail(DomainError.NotFound($"no user {subject}")));
        return (p, caller.Value, subject, null);
    }

    /// <summary>
    /// The caller named by the token parameter. Absent: an error when <paramref name="required"/>,
    /// else null (anonymous). Present but invalid, expired or revoked: always an error.
    /// </summary>
    public static async Task<Result<long?>> CallerAsync(LegacyParams p, Accounts.TokenService tokens, bool required)
    {
        var token = p["token"];
        if (string.IsNullOrEmpty(token))
            return required ? DomainError.Unauthenticated("token is required; log in first") : Result<long?>.Success(null);
        return await tokens.AuthenticateAsync(token) switch
        {
            null => DomainError.Unauthenticated("invalid or expired token; log in again"),
            // The douyin app cannot choose a new password: that is done natively first.
            { MustChangePassword: true } => DomainError.Forbidden(AccountRules.PasswordResetPending),
            var caller => Result<long?>.Success(caller.UserId),
        };
    }

}
