using System.Text.Json;
using GoChat.Grains.Chat;
using GoChat.Grains.Social;
using GoChat.WebFront.Accounts;
using Microsoft.AspNetCore.Http.Json;
using FromBodyAttribute = Microsoft.AspNetCore.Mvc.FromBodyAttribute;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Apis;

internal sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
internal sealed record DeleteAccountRequest(string? Password);

/// <summary>A signed-in session as its owner sees it; <c>Current</c> marks the one the request came with.</summary>
internal sealed record SessionDto(Guid Id, DateTime CreatedAt, DateTime LastSeenAt, DateTime ExpiresAt, string UserAgent, string Address, bool Current);

/// <summary>
/// Native /api/v1 routes for the owner's account over its life: changing the password, seeing and
/// ending sessions, deleting the account, and exporting what it holds.
/// </summary>
internal static class NativeApiAccountLifecycle
{
    const int ExportPage = 500;

    public static IEndpointRouteBuilder MapNativeAccountLifecycleApi(this IEndpointRouteBuilder routes)
    {
        // Also what a session whose password an administrator reset must do first.
        routes.MapPost("/api/v1/users/me/password", ChangePassword).WithTags("Users").RequireAuthorization(AccountPolicies.SignedIn);

        var me = routes.MapGroup("/api/v1/users/me").WithTags("Users").RequireAuthorization();
        me.MapGet("/sessions", ListSessions);
        me.MapDelete("/sessions/{id}", EndSession);
        me.MapDelete("/", DeleteAccount);
        me.MapGet("/export", Export);
        return routes;
    }

    static async Task<IResult> ChangePassword(ChangePasswordRequest? request, AccountService accounts, HttpContext http)
    {
        if (request is not { CurrentPassword: { Length: > 0 } current, NewPassword: { } next })
            return NativeProblems.BadRequest("a JSON body {currentPassword, newPassword} is required");
        var result = await accounts.ChangePassword(http.User.Caller(), current, next);
        return result.Value is { } session ? Results.Ok(AuthResponse.From(session)) : result.Error!.ToProblem();
    }

    static async Task<SessionDto[]> ListSessions(AccountService accounts, HttpContext http)
    {
        var current = http.User.SessionId();
        return (await accounts.Sessions(http.User.UserId()))
            .Select(s => new SessionDto(s.Id, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.UserAgent, s.Address, s.Id == current))
            .ToArray();
    }

    static async Task<IResult> EndSession(string id, AccountService accounts, HttpContext http)
    {
        if (!Guid.TryParse(id, out var sessionId)) return NativeProblems.BadRequest("id must be a session id, as GET /api/v1/users/me/sessions lists them");
        return await accounts.EndSession(http.User.UserId(), sessionId) is { } error ? error.ToProblem() : Results.NoContent();
    }

    static async Task<IResult> DeleteAccount([FromBody] DeleteAccountRequest? request, AccountService accounts, HttpContext http)
    {
        if (request is not { Password: { Length: > 0 } password })
            return NativeProblems.BadRequest("a JSON body {password} is required: deleting the account asks for its password");
        return await accounts.Close(http.User.UserId(), password) is { } error ? error.ToProblem() : Results.NoContent();
    }

    /// <summary>
    /// The profile, contacts and every message the user sent in the conversations they are in, as one
    /// JSON document written as it is read (a page of messages at a time), so memory stays bounded
    /// however long the history.
    /// </summary>
    static async Task Export(HttpContext http, AccountService accounts, FollowStore follows, UserViews users,
        ConversationStore conversations, MessageLog log, IOptions<JsonOptions> jsonOptions)
    {
        var userId = http.User.UserId();
        var json = jsonOptions.Value.SerializerOptions;
        var me = await accounts.Get(userId);
        var contacts = await users.Render(await follows.Friends(userId));
        var conversationIds = await conversations.ConversationIdsOf(userId);

        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"gochat-export-{userId}.json\"";
        http.Response.Headers.CacheControl = "no-store";
        // Over the response's pipe: the serializer's flushes only hand bytes to it; sending is the awaited FlushAsync below.
        var body = http.Response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("exportedAt", DateTime.UtcNow);
        writer.WritePropertyName("profile");
        JsonSerializer.Serialize(writer, me is null ? null : MeDto.From(me), json);
        writer.WritePropertyName("contacts");
        JsonSerializer.Serialize(writer, contacts, json);
        writer.WriteStartArray("messages");
        foreach (var conversationId in conversationIds)
        {
            for (long after = 0; ;)
            {
                var page = await log.SentBy(conversationId, userId, after, ExportPage);
                foreach (var message in page) JsonSerializer.Serialize(writer, MessageDto.From(message), json);
                await writer.FlushAsync(http.RequestAborted);
                await body.FlushAsync(http.RequestAborted);
                if (page.Count < ExportPage) break;
                after = page[^1].Seq;
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(http.RequestAborted);
        await body.FlushAsync(http.RequestAborted);
    }
}
