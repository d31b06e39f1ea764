using System.Text.Json.Serialization;
using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using GoChat.Grains.Social;
using GoChat.Grains.Storage;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using static GoChat.WebFront.Apis.LegacyParameter;

namespace GoChat.WebFront.Apis;

/// <summary>The douyin friend object: a user's fields, flat, with the latest message between the two.</summary>
internal sealed record DouyinFriendUser(
    long Id, string Name, long FollowCount, long FollowerCount, bool IsFollow, string Avatar, string BackgroundImage,
    string Signature, long TotalFavorited, long WorkCount, long FavoriteCount, string Message,
    [property: JsonPropertyName("msgType")] int MsgType);

internal sealed record DouyinMessage(long Id, long ToUserId, long FromUserId, string Content, long CreateTime);

/// <summary>Douyin follows, friends and direct messages, over the same graph and conversations as the native API.</summary>
internal static class DouyinRelationApi
{
    const int MaxChatMessages = 1000;
    /// <summary>The contract has no paging parameters: lists show the newest edges, up to this many (docs/api.md).</summary>
    public const int MaxListed = 1000;
    public const int ListPageSize = 200;

    public static RouteGroupBuilder MapDouyinRelationRoutes(this RouteGroupBuilder douyin)
    {
        douyin.MapPost("/relation/action/", RelationAction).Reads(Token, Integer("to_user_id"), Choice("action_type", "1", "2"));
        douyin.MapGet("/relation/follow/list/", (HttpRequest r, DouyinUsers u, FollowStore f, TokenService t, IGrainFactory g) => EdgeList(r, u, f, t, g, followers: false))
            .Reads(Token, Integer("user_id"));
        douyin.MapGet("/relation/follower/list/", (HttpRequest r, DouyinUsers u, FollowStore f, TokenService t, IGrainFactory g) => EdgeList(r, u, f, t, g, followers: true))
            .Reads(Token, Integer("user_id"));
        douyin.MapGet("/relation/friend/list/", FriendList).Reads(Token, Integer("user_id"));
        douyin.MapGet("/message/chat/", Chat).Reads(Token, Integer("to_user_id"), Integer("pre_msg_time"));
        douyin.MapPost("/message/action/", MessageAction).Reads(Token, Integer("to_user_id"), Choice("action_type", "1"), Text("content"));
        return douyin;
    }

    static async Task<IResult> RelationAction(HttpRequest request, TokenService tokens, IGrainFactory grains)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: true);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        if (!p.TryGetRequiredLong("to_user_id", out var target, out var targetError)) return DouyinDialect.Fail(targetError!);
        var me = grains.GetGrain<IUserGrain>(caller.Value!.Value);
        switch (p["action_type"])
        {
            case "1":
                return await me.Follow(target) is { } error ? DouyinDialect.Fail(error) : DouyinDialect.Ok();
            case "2":
                await me.Unfollow(target);
                return DouyinDialect.Ok();
            default:
                return DouyinDialect.Fail("action_type must be 1 (follow) or 2 (unfollow)");
        }
    }

    static async Task<IResult> EdgeList(HttpRequest request, DouyinUsers users, FollowStore follows, TokenService tokens, IGrainFactory grains, bool followers)
    {
        var (_, viewer, subject, refusal) = await DouyinDialect.SubjectAsync(request, tokens, grains);
        if (refusal is not null) return refusal;
        var ids = await ListPage.Walk<long, FollowCursor>((after, limit) => follows.Edges(subject, followers, after, limit), ListPageSize, MaxListed);
        return DouyinDialect.Ok(new Dictionary<string, object?> { ["user_list"] = await users.Render(ids, viewer, request) });
    }

    static async Task<IResult> FriendList(HttpRequest request, DouyinUsers users, FollowStore follows, TokenService tokens, ConversationStore conversations)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: true);
        if (caller.Error is { } authError) return DouyinDialect.Fail(authError);
        var me = caller.Value!.Value;
        if (!p.TryGetLong("user_id", out var userId, out var idError)) return DouyinDialect.Fail(idError!);
        if (userId is { } other && other != me) return DouyinDialect.Fail(DomainError.Forbidden("you can only list your own friends"));

        var friends = await follows.Friends(me);
        var rendered = await users.Render(friends.Select(f => f.Id).ToList(), me, request);
        var result = new List<DouyinFriendUser>(friends.Count);
        foreach (var u in rendered)
        {
            var last = (await conversations.Get(ConversationIds.Direct(me, u.Id), me))?.LastMessage;
            result.Add(new DouyinFriendUser(u.Id, u.Name, u.FollowCount, u.FollowerCount, u.IsFollow, u.Avatar, u.BackgroundImage,
                u.Signature, u.TotalFavorited, u.WorkCount, u.FavoriteCount, last?.Text ?? "", last?.SenderId == me ? 1 : 0));
        }
        return DouyinDialect.Ok(new Dictionary<string, object?> { ["user_list"] = result });
    }

    /// <summary>The two people of a message route: the token's user and an existing other user named by to_user_id.</summary>
    static async Task<(LegacyParams Params, long Me, long Peer, IResult? Refusal)> ChatParties(HttpRequest request, TokenService tokens, IGrainFactory grains)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await DouyinDialect.CallerAsync(p, tokens, required: true);
        if (caller.Error is { } authError) return (p, 0, 0, DouyinDialect.Fail(authError));
        var me = caller.Value!.Value;
        if (!p.TryGetLong("to_user_id", out var target, out var targetError)) return (p, me, 0, DouyinDialect.Fail(targetError!));
        if (target is not { } peer || peer == me) return (p, me, 0, DouyinDialect.Fail("to_user_id must be another user"));
        // A peer who deleted their account still has the conversation's history (from "Deleted user"); writing to them is refused by the conversation.
        var peerUser = grains.GetGrain<IUserGrain>(peer);
        if (await peerUser.GetProfile() is null && !await peerUser.IsClosed())
            return (p, me, peer, DouyinDialect.Fail(DomainError.NotFound($"no user {peer}")));
        return (p, me, peer, null);
    }

    static async Task<IResult> Chat(HttpRequest request, TokenService tokens, IGrainFactory grains)
    {
        var (p, me, peer, refusal) = await ChatParties(request, tokens, grains);
        if (refusal is not null) return refusal;
        if (!p.TryGetLong("pre_msg_time", out var preTime, out var timeError)) return DouyinDialect.Fail(timeError!);

        // pre_msg_time may come in seconds or milliseconds; 0 or missing means the whole conversation.
        var since = preTime is > 0 and < 100_000_000_000 ? preTime * 1000 : preTime ?? 0;
        var conversation = grains.GetGrain<IConversationGrain>(ConversationIds.Direct(me, peer));
        var messages = new List<ChatMessage>();
        long? before = null;
        while (messages.Count < MaxChatMessages)
        {
            var page = await conversation.GetHistory(me, new HistoryQuery(null, before, ConversationGrain.MaxPageSize));
            if (page.Error is { } error) return DouyinDialect.Fail(error);
            var older = page.Value!;
            messages.InsertRange(0, older);
            if (older.Count < ConversationGrain.MaxPageSize || ToMillis(older[0].SentAt) <= since) break;
            before = older[0].Seq;
        }
        // When polling, the app already shows what it sent itself: only newer messages sent to the requester.
        var list = messages
            // A bot's reply still streaming is left out: this dialect has no streaming, it shows the reply once finished.
            .Where(m => !m.Recalled && m.Status != MessageStatus.Streaming && (since == 0 || ToMillis(m.SentAt) > since && m.SenderId != me))
            .TakeLast(MaxChatMessages)
            .Select(m => new DouyinMessage(m.Id, m.SenderId == me ? peer : me, m.SenderId, m.Text, ToMillis(m.SentAt)));
        return DouyinDialect.Ok(new Dictionary<string, object?> { ["message_list"] = list });
    }

    static async Task<IResult> MessageAction(HttpRequest request, TokenService tokens, IGrainFactory grains, MessagePermits permits)
    {
        var (p, me, peer, refusal) = await ChatParties(request, tokens, grains);
        if (refusal is not null) return refusal;
        if (p["action_type"] != "1") return DouyinDialect.Fail("action_type must be 1 (send)");
        if (await permits.Take(me) is { } limited) return DouyinDialect.Fail(limited);
        var sent = await grains.GetGrain<IConversationGrain>(ConversationIds.Direct(me, peer))
            .Send(me, new SendMessage(Guid.NewGuid().ToString("N"), "text", p["content"], null, null));
        return sent.Error is { } error ? DouyinDialect.Fail(error) : DouyinDialect.Ok();
    }

    static long ToMillis(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
