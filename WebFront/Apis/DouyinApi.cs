using GoChat.Grains;
using GoChat.WebFront.Operations;
using GoChat.WebFront.Accounts;
using static GoChat.WebFront.Apis.LegacyParameter;

namespace GoChat.WebFront.Apis;

/// <summary>The "simple douyin" routes under /douyin/, over the same accounts as the native API.</summary>
internal static class DouyinApi
{
    const int MaxCredentialLength = 32;

    public static IEndpointRouteBuilder MapDouyinApi(this IEndpointRouteBuilder routes)
    {
        var douyin = routes.MapGroup("/douyin").WithTags("Douyin")
            // The app reads status_code, never an HTTP error: an unexpected failure still answers in the envelope.
            .AddEndpointFilter(DatabaseOutage.AnswerIn("Douyin", DouyinDialect.Fail));
        douyin.MapPost("/user/register/", Register).Reads(Text("username"), Text("password")).RequireRateLimiting(RateLimits.SignIn);
        douyin.MapPost("/user/login/", Login).Reads(Text("username"), Text("password")).RequireRateLimiting(RateLimits.SignIn);
        douyin.MapGet("/user/", GetUser).Reads(Token, Integer("user_id"));
        douyin.MapDouyinRelationRoutes();
        douyin.MapDouyinVideoRoutes();
        douyin.MapDouyinEngagementRoutes();
        return routes;
    }

    static async Task<IResult> Register(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        if (CheckCredentials(p["username"], p["password"]) is { } invalid) return DouyinDialect.Fail(invalid);
        var result = await accounts.Register(p["username"], p["password"], displayName: null, request.HttpContext.SignInContext());
        return result.Value is { } session ? SessionResult(session) : DouyinDialect.Fail(result.Error!);
    }

    static async Task<IResult> Login(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        if (CheckCredentials(p["username"], p["password"]) is { } invalid) return DouyinDialect.Fail(invalid);
        var result = await accounts.SignIn(p["username"], p["password"], request.HttpContext.SignInContext());
        return result.Value is { } session ? SessionResult(session) : DouyinDialect.Fail(result.Error!);
    }

    static async Task<IResult> GetUser(HttpRequest request, TokenService tokens, DouyinUsers users, IGrainFactory grains)
    {
        var (_, viewer, subject, refusal) = await DouyinDialect.SubjectAsync(request, tokens, grains, allowDeleted: true);
        if (refusal is not null) return refusal;
        return (await users.RenderAuthors([subject], viewer, request)).GetValueOrDefault(subject) is { } user
            ? DouyinDialect.Ok(new Dictionary<string, object?> { ["user"] = user })
            : DouyinDialect.Fail(DomainError.NotFound($"no user {subject}"));
    }

    static IResult SessionResult(Session session) =>
        DouyinDialect.Ok(new Dictionary<string, object?> { ["user_id"] = session.User.Id, ["token"] = session.Token });

    static DomainError? CheckCredentials(string? username, string? password) =>
        string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password) ? DomainError.Invalid("username and password are required")
        : username.Length > MaxCredentialLength || password.Length > MaxCredentialLength
            ? DomainError.Invalid($"username and password must each be at most {MaxCredentialLength} characters")
        : null;
}
