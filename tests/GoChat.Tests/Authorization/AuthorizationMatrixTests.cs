using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.HostileInput;
using Xunit.Abstractions;
using static GoChat.Tests.Authorization.Answer;

namespace GoChat.Tests.Authorization;

/// <summary>
/// Who may do what to a conversation, group, message, media, video or comment, in every dialect,
/// over the hub and the ginchat sockets (docs/security.md, "How it is tested"). Each row is done by each actor
/// (MatrixScene: the situation's group belongs to the owner, with a group admin and a member; the
/// direct conversation is the owner's with the member; the outsider is in neither) and must get the
/// answer in its column. A new route or hub method of these kinds fails
/// <see cref="Every_route_and_hub_method_that_touches_a_conversation_group_message_media_video_or_comment_has_a_row"/>
/// until its row is written here.
/// </summary>
public sealed class AuthorizationMatrixTests(MatrixScene scene, ITestOutputHelper output) : IClassFixture<MatrixScene>
{
    static readonly MatrixRow[] Rows =
    [
        // what                                                                                   anonymous outsider   member     admin      owner
        // -- a group's conversation: its members read and write; only a message's sender edits or recalls it
        new("GET /api/v1/conversations/{group}/messages",                                         Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("POST /api/v1/conversations/{group}/messages text",                                   Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("POST /api/v1/conversations/{group}/read seq",                                        Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("PATCH /api/v1/conversations/{group}/messages/{ownerGroupSeq} edit",                  Unauth,   Forbidden, Forbidden, Forbidden, Ok),
        new("PATCH /api/v1/conversations/{group}/messages/{memberGroupSeq} edit",                 Unauth,   Forbidden, Ok,        Forbidden, Forbidden),
        new("DELETE /api/v1/conversations/{group}/messages/{ownerGroupSeq}",                      Unauth,   Forbidden, Forbidden, Forbidden, Ok),
        new("DELETE /api/v1/conversations/{group}/messages/{memberGroupSeq}",                     Unauth,   Forbidden, Ok,        Forbidden, Forbidden),
        new("POST /api/v1/conversations/{group}/messages owner-private-image",                    Unauth,   Forbidden, Invalid,   Invalid,   Ok),
        new("GET /api/v1/conversations lists {group}",                                            Unauth,   Unlisted,  Listed,    Listed,    Listed),
        // -- the owner's direct conversation with the member: the two of them only
        new("GET /api/v1/conversations/{direct}/messages",                                        Unauth,   Forbidden, Ok,        Forbidden, Ok),
        new("POST /api/v1/conversations/{direct}/messages text",                                  Unauth,   Forbidden, Ok,        Forbidden, Ok),
        new("POST /api/v1/conversations/{direct}/read seq",                                       Unauth,   Forbidden, Ok,        Forbidden, Ok),
        new("PATCH /api/v1/conversations/{direct}/messages/{ownerDirectSeq} edit",                Unauth,   Forbidden, Forbidden, Forbidden, Ok),
        new("DELETE /api/v1/conversations/{direct}/messages/{memberDirectSeq}",                   Unauth,   Forbidden, Ok,        Forbidden, Forbidden),
        new("GET /api/v1/conversations lists {direct}",                                           Unauth,   Unlisted,  Listed,    Unlisted,  Listed),
        // anyone may open a direct conversation with anyone (the member: not with themself)
        new("POST /api/v1/conversations/direct with-member",                                      Unauth,   Ok,        Invalid,   Ok,        Ok),
        // -- the group itself: visible to anyone signed in, open to join; owner and admins add, remove; only the owner removes an admin
        new("POST /api/v1/groups",                                                                Unauth,   Invalid,   Invalid,   Invalid,   Invalid),
        new("GET /api/v1/groups/{groupId}",                                                       Unauth,   Ok,        Ok,        Ok,        Ok),
        new("GET /api/v1/groups lists {groupId}",                                                 Unauth,   Unlisted,  Listed,    Listed,    Listed),
        new("POST /api/v1/groups/{groupId}/members spare",                                        Unauth,   Forbidden, Forbidden, Ok,        Ok),
        new("POST /api/v1/groups/{groupId}/join",                                                 Unauth,   Ok,        Ok,        Ok,        Ok),
        new("DELETE /api/v1/groups/{groupId}/members/{member}",                                   Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("DELETE /api/v1/groups/{groupId}/members/{admin}",                                    Unauth,   Forbidden, Forbidden, Ok,        Ok),
        new("DELETE /api/v1/groups/{groupId}/members/{owner}",                                    Unauth,   Forbidden, Forbidden, Forbidden, Ok),
        // -- media: the uploader, and the members of a conversation it was sent in (until recalled); anyone else sees none
        new("GET /api/v1/media/{sharedMedia}",                                                    Unauth,   Hidden,    Ok,        Ok,        Ok),
        new("GET /api/v1/media/{sharedMedia}/content",                                            Unauth,   Hidden,    Ok,        Ok,        Ok),
        new("GET /api/v1/media/{directMedia}/content",                                            Unauth,   Hidden,    Ok,        Hidden,    Ok),
        new("GET /api/v1/media/{privateMedia}",                                                   Unauth,   Hidden,    Hidden,    Hidden,    Ok),
        new("GET /api/v1/media/{privateMedia}/content",                                           Unauth,   Hidden,    Hidden,    Hidden,    Ok),
        new("GET /api/v1/media/{recalledMedia}/content",                                          Unauth,   Hidden,    Hidden,    Hidden,    Ok),
        new("POST /api/v1/media",                                                                 Unauth,   Invalid,   Invalid,   Invalid,   Invalid),
        // -- douyin: videos, likes and comments are public to read; a comment is deleted by its author or the video's
        new("GET /douyin/feed/",                                                                  Ok,       Ok,        Ok,        Ok,        Ok),
        new("GET /douyin/publish/list/?user_id={owner}",                                          Ok,       Ok,        Ok,        Ok,        Ok),
        new("GET /douyin/videos/{video}/play",                                                    Ok,       Ok,        Ok,        Ok,        Ok),
        new("GET /douyin/videos/{video}/cover",                                                   Ok,       Ok,        Ok,        Ok,        Ok),
        // (without a body: publishing reads its token from the multipart form, so a request with none is refused for the missing form)
        new("POST /douyin/publish/action/",                                                       Invalid,  Invalid,   Invalid,   Invalid,   Invalid),
        new("POST /douyin/favorite/action/?video_id={video}&action_type=1",                       Unauth,   Ok,        Ok,        Ok,        Ok),
        new("GET /douyin/favorite/list/?user_id={owner}",                                         Ok,       Ok,        Ok,        Ok,        Ok),
        new("GET /douyin/comment/list/?video_id={video}",                                         Ok,       Ok,        Ok,        Ok,        Ok),
        new("POST /douyin/comment/action/?video_id={video}&action_type=1&comment_text=hi",        Unauth,   Ok,        Ok,        Ok,        Ok),
        new("POST /douyin/comment/action/?video_id={video}&action_type=2&comment_id={memberComment}", Unauth, Forbidden, Ok,     Forbidden, Ok),
        // douyin's direct messages are always the caller's own conversation with to_user_id
        new("GET /douyin/message/chat/?to_user_id={owner} lists owner-private-words",             Unauth,   Unlisted,  Listed,    Unlisted,  Invalid),
        new("POST /douyin/message/action/?to_user_id={member}&action_type=1&content=hi",          Unauth,   Ok,        Invalid,   Ok,        Ok),
        new("GET /douyin/relation/friend/list/?user_id={owner}",                                  Unauth,   Forbidden, Forbidden, Forbidden, Ok),
        // -- ginchat: a route naming a user acts on the caller's own account only
        new("POST /searchGroups?userId={self} lists {groupId}",                                   Unauth,   Unlisted,  Listed,    Listed,    Listed),
        new("POST /searchGroups?userId={owner}",                                                  Unauth,   Forbidden, Forbidden, Forbidden, Ok),
        new("socket sendUserMsg group {groupId}",                                                 Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("socket sendUserMsg direct {member}",                                                 Unauth,   Ok,        Invalid,   Ok,        Ok),
        new("socket sendMsg broadcast",                                                           Unauth,   Forbidden, Forbidden, Forbidden, Forbidden),
        // -- the hub
        new("hub Sync lists {group}",                                                             Unauth,   Unlisted,  Listed,    Listed,    Listed),
        new("hub SendMessage {group}",                                                            Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub SendMessage {direct}",                                                           Unauth,   Forbidden, Ok,        Forbidden, Ok),
        new("hub MarkRead {group} 1",                                                             Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub Typing {group}",                                                                 Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub Typing {direct}",                                                                Unauth,   Forbidden, Ok,        Forbidden, Ok),
        // (nothing streams here: who may stop a streaming bot reply, the asker and the group's owner and admins, is BotReplyTests')
        new("hub StopReply {group} {memberGroupSeq}",                                             Unauth,   Forbidden, Invalid,   Invalid,   Invalid),
        new("hub StartCall {group} audio",                                                        Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub StartCall {direct} audio",                                                       Unauth,   Forbidden, Ok,        Forbidden, Ok),
        new("hub AcceptCall {call}",                                                              Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub DeclineCall {call}",                                                             Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub LeaveCall {call}",                                                               Unauth,   Forbidden, Ok,        Ok,        Ok),
        new("hub SendCallSignal {answeredCall} {peer} offer",                                     Unauth,   Forbidden, Ok,        Forbidden, Ok),
    ];

    static readonly Actor[] Actors = [Actor.Anonymous, Actor.Outsider, Actor.Member, Actor.Admin, Actor.Owner];

    [Fact]
    public async Task Every_actor_gets_the_answer_its_column_says_for_every_row()
    {
        var clock = Stopwatch.StartNew();
        var cells = new MatrixCells(scene);
        var wrong = new ConcurrentQueue<string>();
        var count = 0;

        async Task Run(MatrixRow row, Actor actor)
        {
            // Reads share a situation; a cell that changes something gets its own, as does anyone who is not anonymous in a call row.
            var situation = row.Changes && actor != Actor.Anonymous
                ? await scene.SituationAsync(withCall: row.NeedsCall && !row.What.StartsWith("hub StartCall", StringComparison.Ordinal), answered: row.What.Contains("{answeredCall}"))
                : scene.Shared;
            try
            {
                var (answer, detail) = await cells.RunAsync(row, actor, situation);
                Interlocked.Increment(ref count);
                if (answer != row.For(actor)) wrong.Enqueue($"{row,-90} {actor,-9} expected {row.For(actor),-9} got {answer,-9} {detail}");
            }
            finally
            {
                await scene.EndCallAsync(situation);
            }
        }

        // Call rows one cell at a time (someone in a call is busy for another); the rest a few at a time.
        await Parallel.ForEachAsync(Rows.Where(r => !r.NeedsCall).SelectMany(r => Actors.Select(a => (r, a))), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (cell, _) => await Run(cell.r, cell.a));
        foreach (var row in Rows.Where(r => r.NeedsCall))
            foreach (var actor in Actors)
                await Run(row, actor);

        output.WriteLine($"{count} cells ({Rows.Length} rows x {Actors.Length} actors) in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(wrong.IsEmpty, $"{wrong.Count} cells answered otherwise:\n{string.Join("\n", wrong.Order())}");
    }

    [Fact]
    public async Task A_ginchat_socket_hears_only_the_conversations_its_user_is_in_and_sends_only_as_its_user()
    {
        var host = scene.Host;
        var names = new[] { "i-owner", "i-member", "i-other", "i-outsider", "i-herald" };
        var users = new Dictionary<string, (long Id, string Token)>();
        foreach (var name in names) users[name] = await host.RegisterAsync(name);
        var (owner, member, other, outsider, herald) = (users["i-owner"], users["i-member"], users["i-other"], users["i-outsider"], users["i-herald"]);
        using var asOwner = host.Client(owner.Token);
        var group = await (await asOwner.PostAsJsonAsync("/api/v1/groups", new { name = "isolation", memberIds = new[] { member.Id, other.Id } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var groupConversation = group.GetProperty("conversationId").GetString()!;

        var sockets = new Dictionary<string, ClientWebSocket>();
        foreach (var name in names[..4])
        {
            sockets[name] = new ClientWebSocket();
            await sockets[name].ConnectAsync(scene.SocketUri("/user/sendUserMsg", users[name].Id, users[name].Token), CancellationToken.None);
        }
        try
        {
            await SendAsync(host, owner.Token, groupConversation, "g-1");
            await SendAsync(host, owner.Token, Direct(owner.Id, member.Id), "d-1");
            await SendAsync(host, member.Token, Direct(owner.Id, member.Id), "d-2");
            // The outsider's frame claims to come from the owner: it is sent as the outsider, into the outsider's own conversation with the member.
            await sockets["i-outsider"].SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { FromId = owner.Id, TargetId = member.Id, Type = 1, Media = 1, Content = "o-1" })),
                WebSocketMessageType.Text, true, CancellationToken.None);
            foreach (var name in names[..4]) await SendAsync(host, herald.Token, Direct(herald.Id, users[name].Id), "herald-1");

            Assert.Equal(["d-2"], await HeardAsync(sockets["i-owner"], "herald-1"));
            var toMember = await HeardFramesAsync(sockets["i-member"], "herald-1", "g-1", "d-1", "o-1");
            Assert.Equal(["d-1", "g-1", "o-1"], toMember.Select(f => f.Content).Order());
            Assert.Equal(outsider.Id, toMember.Single(f => f.Content == "o-1").FromId);
            Assert.Equal(["g-1"], await HeardAsync(sockets["i-other"], "herald-1", "g-1"));
            Assert.Empty(await HeardAsync(sockets["i-outsider"], "herald-1"));

            // Removed from the group, the member hears no more of it, on the socket already open.
            Assert.True((await asOwner.DeleteAsync($"/api/v1/groups/{group.GetProperty("id").GetInt64()}/members/{member.Id}")).IsSuccessStatusCode);
            await SendAsync(host, owner.Token, groupConversation, "g-2");
            foreach (var name in names[..4]) await SendAsync(host, herald.Token, Direct(herald.Id, users[name].Id), "herald-2");
            Assert.Equal(["g-2"], await HeardAsync(sockets["i-other"], "herald-2", "g-2"));
            Assert.Empty(await HeardAsync(sockets["i-member"], "herald-2"));
            Assert.Empty(await HeardAsync(sockets["i-outsider"], "herald-2"));
        }
        finally
        {
            foreach (var socket in sockets.Values) socket.Dispose();
        }
    }

    static string Direct(long a, long b) => GoChat.Grains.Chat.ConversationIds.Direct(a, b);

    static async Task SendAsync(Infrastructure.GoChatHost host, string token, string conversation, string text)
    {
        using var client = host.Client(token);
        var sent = await client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = Guid.NewGuid().ToString("N"), kind = "text", text });
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
    }

    /// <summary>The contents of the messages a socket heard until <paramref name="marker"/> and all of <paramref name="awaited"/> arrived (the marker left out).</summary>
    static async Task<List<string?>> HeardAsync(ClientWebSocket socket, string marker, params string[] awaited) =>
        (await HeardFramesAsync(socket, marker, awaited)).Select(f => f.Content).Order().ToList();

    static async Task<List<(string? Content, long FromId)>> HeardFramesAsync(ClientWebSocket socket, string marker, params string[] awaited)
    {
        var heard = new List<(string? Content, long FromId)>();
        var waiting = awaited.Append(marker).ToHashSet();
        while (waiting.Count > 0)
        {
            var frame = JsonDocument.Parse((await socket.ReceiveMessageAsync()).Text).RootElement;
            var content = frame.GetProperty("Content").GetString();
            waiting.Remove(content ?? "");
            if (content != marker) heard.Add((content, frame.GetProperty("FromId").GetInt64()));
        }
        return heard;
    }

    [Fact]
    public async Task Every_route_and_hub_method_that_touches_a_conversation_group_message_media_video_or_comment_has_a_row()
    {
        var surface = await ApiSurface.ReadAsync(scene.Host);
        string[] domain = ["conversation", "group", "message", "media", "video", "comment", "favorite", "publish", "feed", "sendUserMsg", "sendMsg", "friend/list"];
        var touching = surface.Routes.Where(r => domain.Any(d => r.Path.Contains(d, StringComparison.OrdinalIgnoreCase)))
            .Select(r => $"{r.Method} {System.Text.RegularExpressions.Regex.Replace(r.Path, @"\{[^}]*\}", "{}")}")
            .Concat(surface.HubMethods.Select(m => $"hub {m.Name}"))
            .ToHashSet();
        var covered = Rows.Select(r => r.Subject).ToHashSet();
        Assert.True(touching.Count > 40, string.Join("\n", touching));
        var missing = touching.Except(covered).Order().ToList();
        Assert.True(missing.Count == 0, $"no row of the matrix says who may use:\n{string.Join("\n", missing)}");
    }
}
