using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;

namespace GoChat.WebFront.Apis;

/// <summary>ginchat's UserBasic, field names as gorm's JSON had them; never a password or salt.</summary>
public sealed record GinchatUser(
    long ID, string CreatedAt, string UpdatedAt, string Name, string Phone, string Email, string Identity,
    string ClientIp, string ClientPort, string LoginTime, string HeartbeatTime,
    [property: JsonPropertyName("login_out_time")] string LoginOutTime, bool IsLogout, string DeviceInfo);

/// <summary>ginchat's GroupBasic.</summary>
internal sealed record GinchatGroup(long ID, string CreatedAt, string UpdatedAt, string Name, long OwnerId, string Icon, string Desc);

/// <summary>
/// How the ginchat dialect speaks: {code, message, data} with code 0 for success and -1 for
/// failure, parameters from form fields or the query string, times as Go's time.Time wrote them.
/// </summary>
internal static class GinchatDialect
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    const string GoZeroTime = "0001-01-01T00:00:00Z";

    public static IResult Ok(string message, object? data) => Results.Json(new { code = 0, message, data }, Json);

    /// <summary>The list shape of ginchat's search routes: the rows beside an empty data.</summary>
    public static IResult Rows(string message, object rows) => Results.Json(new { code = 0, message, data = (object?)null, Rows = rows }, Json);

    public static GinchatGroup ToGinchat(this GroupInfo group) =>
        new(group.Id, Time(group.CreatedAt), Time(group.CreatedAt), group.Name, group.OwnerId, group.IconUrl, group.Description);

    public static IResult Fail(string message) => Results.Json(new { code = -1, message, data = (object?)null }, Json);

    public static IResult Fail(DomainError error) => Fail(error.Message);

    /// <summary>UserBasic as <paramref name="viewerId"/> may see it (the private fields are the owner's only).</summary>
    public static GinchatUser ToGinchat(this UserProfile profile, long viewerId, string identity = "")
    {
        var user = profile.SeenBy(viewerId);
        return new(user.Id, Time(user.CreatedAt), Time(user.UpdatedAt), user.Username, user.Phone, user.Email, identity,
            user.ClientIp, "", Time(user.LoginAt), Time(user.LoginAt), Time(user.LogoutAt),
            user.LogoutAt is { } logout && (user.LoginAt is null || logout >= user.LoginAt), user.DeviceInfo);
    }

    static string Time(DateTime? time) =>
        time is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : GoZeroTime;

    /// <summary>
    /// The caller's user id from the token (field, query or bearer header). When the route names a
    /// user in <paramref name="userIdField"/>, it must be the caller.
    /// </summary>
    public static async Task<Result<long>> CallerAsync(this LegacyParams p, HttpRequest request, string? userIdField = null)
    {
        var caller = await p.CallerTokenAsync(request, userIdField);
        return caller.Error is { } error ? error : Result<long>.Success(caller.Value!.UserId);
    }

    /// <summary>As <see cref="CallerAsync"/>, with the token version (a socket closes when it is revoked).</summary>
    public static async Task<Result<TokenClaims>> CallerTokenAsync(this LegacyParams p, HttpRequest request, string? userIdField = null)
    {
        var token = p["token"] ?? TokenAuthenticationHandler.BearerToken(request);
        if (string.IsNullOrEmpty(token)) return DomainError.Unauthenticated("a token is required; log in first");
        var tokens = request.HttpContext.RequestServices.GetRequiredService<TokenService>();
        if (await tokens.AuthenticateAsync(token) is not { } caller)
            return DomainError.Unauthenticated("invalid or expired token; log in again");
        // ginchat's pages cannot choose a new password: that is done natively first.
        if (caller.MustChangePassword) return DomainError.Forbidden(AccountRules.PasswordResetPending);
        if (userIdField is null) return Result<TokenClaims>.Success(caller);
        if (!p.TryGetLong(userIdField, out var named, out var error)) return DomainError.Invalid(error!);
        if (named is null) return DomainError.Invalid($"{userIdField} is required");
        return named == caller.UserId ? Result<TokenClaims>.Success(caller) : DomainError.Forbidden($"{userIdField} must be your own user id");
    }
}
