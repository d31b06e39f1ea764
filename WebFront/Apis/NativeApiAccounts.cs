using System.Text.Json.Serialization;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Operations;

namespace GoChat.WebFront.Apis;

internal sealed record RegisterRequest(string? Username, string? Password, string? DisplayName);
internal sealed record LoginRequest(string? Username, string? Password);
internal sealed record UpdateMeRequest(string? DisplayName, string? AvatarUrl, string? Signature, string? Phone, string? Email, string? Password);

/// <summary>A user as other users see them.</summary>
public sealed record UserDto(long Id, string Username, string DisplayName, string AvatarUrl, string Signature, bool Online, bool IsBot)
{
    public static UserDto From(UserProfile p, bool online) => new(p.Id, p.Username, p.DisplayName, p.AvatarUrl, p.Signature, online, p.IsBot);
}

/// <summary>
/// The signed-in user's own profile: adds the fields only its owner sees, whether the account is an
/// administrator's, and whether an administrator reset its password (then nothing but
/// POST /api/v1/users/me/password is allowed). <c>Token</c> appears only after a password change,
/// which revoked the token the request came with.
/// </summary>
internal sealed record MeDto(long Id, string Username, string DisplayName, string AvatarUrl, string Signature, bool Online, bool IsBot,
    string Phone, string Email, DateTime CreatedAt, bool IsAdmin, bool MustChangePassword,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token = null)
{
    public static MeDto From(UserProfile p, string? newToken = null) =>
        new(p.Id, p.Username, p.DisplayName, p.AvatarUrl, p.Signature, true, p.IsBot, p.Phone, p.Email, p.CreatedAt, p.IsAdmin, p.MustChangePassword, newToken);
}

/// <summary>A new session: its token and user. <c>MustChangePassword</c> (also in <c>User</c>): only the password change is allowed until it is made.</summary>
internal sealed record AuthResponse(long UserId, string Token, MeDto User, bool MustChangePassword)
{
    public static AuthResponse From(Session session) =>
        new(session.User.Id, session.Token, MeDto.From(session.User), session.User.MustChangePassword);
}

/// <summary>Native /api/v1 routes for accounts: register, login, logout, profiles and user search.</summary>
internal static class NativeApiAccounts
{
    public static IEndpointRouteBuilder MapNativeAccountsApi(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/v1/auth").WithTags("Auth");
        auth.MapPost("/register", Register).RequireRateLimiting(RateLimits.SignIn);
        auth.MapPost("/login", Login).RequireRateLimiting(RateLimits.SignIn);
        // Open to a session whose password an administrator reset, as are reading the profile and
        // choosing the new password (NativeApiAccountLifecycle): everything else answers 403 until then.
        auth.MapPost("/logout", Logout).RequireAuthorization(AccountPolicies.SignedIn);
        routes.MapGet("/api/v1/users/me", GetMe).WithTags("Users").RequireAuthorization(AccountPolicies.SignedIn);

        var users = routes.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization();
        users.MapPatch("/me", UpdateMe);
        users.MapGet("/{id:long}", GetUser);
        users.MapGet("/", SearchUsers);
        return routes;
    }

    static async Task<IResult> Register(RegisterRequest? request, AccountService accounts, HttpContext http)
    {
        if (request is null) return NativeProblems.BadRequest("a JSON body {username, password, displayName?} is required");
        var result = await accounts.Register(request.Username, request.Password, request.DisplayName, http.SignInContext());
        return result.Value is { } session
            ? Results.Created($"/api/v1/users/{session.User.Id}", AuthResponse.From(session))
            : result.Error!.ToProblem();
    }

    static async Task<IResult> Login(LoginRequest? request, AccountService accounts, HttpContext http)
    {
        if (request is null) return NativeProblems.BadRequest("a JSON body {username, password} is required");
        var result = await accounts.SignIn(request.Username, request.Password, http.SignInContext(), canChangePassword: true);
        return result.Value is { } session ? Results.Ok(AuthResponse.From(session)) : result.Error!.ToProblem();
    }

    static async Task<IResult> Logout(AccountService accounts, HttpContext http)
    {
        await accounts.SignOut(http.User.UserId());
        return Results.NoContent();
    }

    static async Task<IResult> GetMe(AccountService accounts, HttpContext http) =>
        await accounts.Get(http.User.UserId()) is { } me ? Results.Ok(MeDto.From(me)) : NativeProblems.BadRequest("the account is closed");

    static async Task<IResult> UpdateMe(UpdateMeRequest? request, AccountService accounts, HttpContext http)
    {
        if (request is null) return NativeProblems.BadRequest("a JSON body with the fields to change is required");
        var result = await accounts.Update(http.User.Caller(), new ProfileUpdate(
            DisplayName: request.DisplayName, AvatarUrl: request.AvatarUrl, Signature: request.Signature,
            Phone: request.Phone, Email: request.Email, Password: request.Password));
        return result.Value is { } me ? Results.Ok(MeDto.From(me.User, me.NewToken)) : result.Error!.ToProblem();
    }

    /// <summary>A deleted account is shown as "Deleted user", so the messages it sent still name someone.</summary>
    static async Task<IResult> GetUser(long id, UserViews views) =>
        await views.RenderById(id) is { } user ? Results.Ok(user) : Grains.DomainError.NotFound($"no user {id}").ToProblem();

    static async Task<IResult> SearchUsers(string? search, int? limit, AccountService accounts, UserViews views)
    {
        if (limit is < 1 or > AccountService.MaxSearchResults)
            return NativeProblems.BadRequest($"limit must be 1-{AccountService.MaxSearchResults}");
        if (search is { Length: > AccountRules.MaxUsernameLength })
            return NativeProblems.BadRequest($"search must be at most {AccountRules.MaxUsernameLength} characters");
        var users = await accounts.Search(search, limit ?? 20);
        return Results.Ok(await views.Render(users));
    }
}

internal static class HttpContextAccountExtensions
{
    /// <summary>Where this request came from, as recorded on sign-in.</summary>
    public static SignInContext SignInContext(this HttpContext http) => new(
        http.Connection.RemoteIpAddress?.ToString() ?? "",
        http.Request.Headers.UserAgent.ToString());
}
