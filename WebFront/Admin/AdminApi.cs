using GoChat.Grains;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Apis;
using GoChat.WebFront.Operations;

namespace GoChat.WebFront.Admin;

/// <summary>An account as administrators see it: its state, never its credentials or private fields.</summary>
internal sealed record AdminUserDto(long Id, string Username, string DisplayName, bool IsBot, bool IsAdmin, bool Disabled,
    bool MustChangePassword, bool Deleted, DateTime CreatedAt, DateTime? LastSignInAt)
{
    public static AdminUserDto From(AdministeredAccount a) =>
        new(a.Id, a.Username, a.DisplayName, a.IsBot, a.IsAdmin, a.Disabled, a.MustChangePassword, a.DeletedAt is not null, a.CreatedAt, a.LoginAt);
}

internal sealed record AccountRefDto(long Id, string Username);

/// <summary>One administrator's action; <c>Actor</c> null is the server itself (GoChat:Admins, the first account).</summary>
internal sealed record AuditDto(long Id, DateTime At, AccountRefDto? Actor, string Action, AccountRefDto Target, string Detail);

/// <summary>The one-time password of a reset: shown once, here; the user must replace it at their next sign-in.</summary>
internal sealed record PasswordResetDto(long UserId, string OneTimePassword);

/// <summary>
/// Native /api/v1/admin routes: find accounts, disable and enable them, reset passwords, grant and
/// revoke the administrator role, read the audit. Administrators only (401 anonymous, 403 others);
/// each action is done by the grain owning what it changes, which records it in the audit.
/// </summary>
internal static class AdminApi
{
    const int DefaultLimit = 50;
    const int MaxUsers = 100;
    const int MaxAudit = 200;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(Dashboard.AdminPolicy);
        admin.MapGet("/users", Users);
        admin.MapPost("/users/{id:long}/disable", Disable);
        admin.MapPost("/users/{id:long}/enable", Enable);
        admin.MapPost("/users/{id:long}/reset-password", ResetPassword);
        admin.MapPut("/users/{id:long}/admin", Grant);
        admin.MapDelete("/users/{id:long}/admin", Revoke);
        admin.MapGet("/audit", Audit);
        return routes;
    }

    static async Task<IResult> Users(string? search, int? limit, UserDirectory directory)
    {
        if (limit is < 1 or > MaxUsers) return NativeProblems.BadRequest($"limit must be 1-{MaxUsers}");
        if (search is { Length: > AccountRules.MaxUsernameLength })
            return NativeProblems.BadRequest($"search must be at most {AccountRules.MaxUsernameLength} characters");
        var accounts = await directory.SearchAll(search ?? "", limit ?? DefaultLimit);
        return Results.Ok(accounts.Select(AdminUserDto.From).ToArray());
    }

    static Task<IResult> Disable(long id, HttpContext http, IGrainFactory grains, UserDirectory directory) =>
        Answer(id, directory, grains.GetGrain<IAccountAdministration>(id).Disable(http.User.UserId()));

    static Task<IResult> Enable(long id, HttpContext http, IGrainFactory grains, UserDirectory directory) =>
        Answer(id, directory, grains.GetGrain<IAccountAdministration>(id).Enable(http.User.UserId()));

    static async Task<IResult> ResetPassword(long id, HttpContext http, IGrainFactory grains)
    {
        var reset = await grains.GetGrain<IAccountAdministration>(id).ResetPassword(http.User.UserId());
        if (reset.Error is { } error) return error.ToProblem();
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new PasswordResetDto(id, reset.Value!));
    }

    static async Task<IResult> Grant(long id, HttpContext http, IGrainFactory grains, UserDirectory directory) =>
        await grains.GetGrain<IAdministratorsGrain>(0).Grant(http.User.UserId(), id) is { } error ? error.ToProblem() : await View(id, directory);

    static async Task<IResult> Revoke(long id, HttpContext http, IGrainFactory grains, UserDirectory directory) =>
        await grains.GetGrain<IAdministratorsGrain>(0).Revoke(http.User.UserId(), id) is { } error ? error.ToProblem() : await View(id, directory);

    static async Task<IResult> Audit(long? before, int? limit, AdminAudit audit)
    {
        if (limit is < 1 or > MaxAudit) return NativeProblems.BadRequest($"limit must be 1-{MaxAudit}");
        if (before is < 1) return NativeProblems.BadRequest("before must be the id of an audit entry (1 or more)");
        var page = await audit.Page(before, limit ?? DefaultLimit);
        return Results.Ok(page.Select(a => new AuditDto(a.Id, a.At,
            a.ActorId is { } actor ? new AccountRefDto(actor, a.ActorName ?? "") : null, a.Action,
            new AccountRefDto(a.TargetId, a.TargetName), a.Detail)).ToArray());
    }

    static async Task<IResult> Answer<T>(long id, UserDirectory directory, Task<Result<T>> action) =>
        (await action).Error is { } error ? error.ToProblem() : await View(id, directory);

    static async Task<IResult> View(long id, UserDirectory directory) =>
        await directory.Get(id) is { } row ? Results.Ok(AdminUserDto.From(AdministeredAccount.From(row))) : DomainError.NotFound($"no user {id}").ToProblem();
}
