using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using GoChat.Grains.Social;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Realtime;

namespace GoChat.WebFront.Apis;

internal sealed record AddContactRequest(long? UserId, string? Username);
internal sealed record OpenDirectRequest(long? UserId);
internal sealed record MarkReadRequest(long? Seq);
internal sealed record EditMessageRequest(string? Text);
internal sealed record PostMessageRequest(string? ClientMsgId, string? Kind, string? Text, long? MediaId, long? ReplyToSeq);

/// <summary>Native /api/v1 routes for contacts, conversations and messages.</summary>
internal static class NativeApiConversations
{
    public static IEndpointRouteBuilder MapNativeConversationsApi(this IEndpointRouteBuilder routes)
    {
        var contacts = routes.MapGroup("/api/v1/contacts").WithTags("Contacts").RequireAuthorization();
        contacts.MapGet("/", ListContacts);
        contacts.MapPost("/", AddContact);
        contacts.MapDelete("/{userId:long}", RemoveContact);

        var conversations = routes.MapGroup("/api/v1/conversations").WithTags("Conversations").RequireAuthorization();
        conversations.MapGet("/", ListConversations);
        conversations.MapPost("/direct", OpenDirect);
        conversations.MapGet("/{id}/messages", History);
        conversations.MapPost("/{id}/messages", Send);
        conversations.MapPost("/{id}/read", MarkRead);
        conversations.MapPatch("/{id}/messages/{seq:long}", Edit);
        conversations.MapDelete("/{id}/messages/{seq:long}", Recall);
        return routes;
    }

    static async Task<IResult> ListContacts(HttpContext http, FollowStore follows, UserViews views) =>
        Results.Ok(await views.Render(await follows.Friends(http.User.UserId())));

    static async Task<IResult> AddContact(AddContactRequest? request, HttpContext http, IGrainFactory grains, UserDirectory directory, UserViews views)
    {
        long? targetId = request?.UserId;
        if (targetId is null && !string.IsNullOrEmpty(request?.Username))
            targetId = request.Username.Length <= AccountRules.MaxUsernameLength ? await directory.FindIdByName(request.Username) : null;
        if (targetId is null)
            return string.IsNullOrEmpty(request?.Username) ? NativeProblems.BadRequest("give {userId} or {username}") : DomainError.NotFound($"no user named {FreeText.Quote(request.Username)}").ToProblem();
        if (await grains.GetGrain<IUserGrain>(http.User.UserId()).AddContact(targetId.Value) is { } error) return error.ToProblem();
        var contact = await grains.GetGrain<IUserGrain>(targetId.Value).GetProfile();
        return Results.Created($"/api/v1/users/{targetId}", await views.Render(contact!));
    }

    static async Task<IResult> RemoveContact(long userId, HttpContext http, IGrainFactory grains)
    {
        await grains.GetGrain<IUserGrain>(http.User.UserId()).RemoveContact(userId);
        return Results.NoContent();
    }

    static async Task<IResult> ListConversations(HttpContext http, ConversationViews views) =>
        Results.Ok(await views.ListFor(http.User.UserId()));

    static async Task<IResult> OpenDirect(OpenDirectRequest? request, HttpContext http, IGrainFactory grains, ConversationViews views)
    {
        var me = http.User.UserId();
        if (request?.UserId is not { } other) return NativeProblems.BadRequest("a JSON body {userId} is required");
        if (other == me) return NativeProblems.BadRequest("a direct conversation needs another user");
        if (await grains.GetGrain<IUserGrain>(other).GetProfile() is null) return DomainError.NotFound($"no user {other}").ToProblem();
        var id = ConversationIds.Direct(me, other);
        if (await grains.GetGrain<IConversationGrain>(id).Open(me) is { } error) return error.ToProblem();
        return Results.Ok(await views.Get(id, me));
    }

    static async Task<IResult> History(string id, long? afterSeq, long? beforeSeq, int? limit, HttpContext http, IGrainFactory grains)
    {
        if (!ConversationIds.TryParse(id, out _, out _)) return UnknownConversation(id);
        var page = await grains.GetGrain<IConversationGrain>(id).GetHistory(http.User.UserId(), new HistoryQuery(afterSeq, beforeSeq, limit ?? 50));
        return page.Value is { } messages ? Results.Ok(messages.Select(MessageDto.From)) : page.Error!.ToProblem();
    }

    static async Task<IResult> Send(string id, PostMessageRequest? request, HttpContext http, IGrainFactory grains, MessagePermits permits)
    {
        if (!ConversationIds.TryParse(id, out _, out _)) return UnknownConversation(id);
        if (request is null) return NativeProblems.BadRequest("a JSON body {clientMsgId, kind, text?, mediaId?, replyToSeq?} is required");
        if (await permits.Take(http.User.UserId()) is { } limited) return limited.ToProblem();
        var sent = await grains.GetGrain<IConversationGrain>(id).Send(http.User.UserId(),
            new SendMessage(request.ClientMsgId ?? "", request.Kind ?? "text", request.Text, request.MediaId, request.ReplyToSeq));
        return sent.Value is { } message
            ? Results.Created($"/api/v1/conversations/{id}/messages?afterSeq={message.Seq - 1}&limit=1", MessageDto.From(message))
            : sent.Error!.ToProblem();
    }

    static async Task<IResult> MarkRead(string id, MarkReadRequest? request, HttpContext http, IGrainFactory grains)
    {
        if (!ConversationIds.TryParse(id, out _, out _)) return UnknownConversation(id);
        if (request?.Seq is not { } seq) return NativeProblems.BadRequest("a JSON body {seq} is required");
        return await grains.GetGrain<IConversationGrain>(id).MarkRead(http.User.UserId(), seq) is { } error ? error.ToProblem() : Results.NoContent();
    }

    static async Task<IResult> Edit(string id, long seq, EditMessageRequest? request, HttpContext http, IGrainFactory grains)
    {
        if (!ConversationIds.TryParse(id, out _, out _)) return UnknownConversation(id);
        if (request?.Text is not { } text) return NativeProblems.BadRequest("a JSON body {text} is required");
        var edited = await grains.GetGrain<IConversationGrain>(id).Edit(http.User.UserId(), seq, text);
        return edited.Value is { } message ? Results.Ok(MessageDto.From(message)) : edited.Error!.ToProblem();
    }

    static async Task<IResult> Recall(string id, long seq, HttpContext http, IGrainFactory grains)
    {
        if (!ConversationIds.TryParse(id, out _, out _)) return UnknownConversation(id);
        return await grains.GetGrain<IConversationGrain>(id).Recall(http.User.UserId(), seq) is { } error ? error.ToProblem() : Results.NoContent();
    }

    static IResult UnknownConversation(string id) => DomainError.NotFound($"no conversation {FreeText.Quote(id)}").ToProblem();
}
