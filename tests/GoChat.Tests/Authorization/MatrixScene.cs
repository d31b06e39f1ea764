using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using GoChat.Grains.Chat;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using static GoChat.Tests.DouyinApi.DouyinVideoTests;

namespace GoChat.Tests.Authorization;

/// <summary>Who asks: nobody, someone with no part in the group, a member, a group admin, the group's owner.</summary>
public enum Actor
{
    Anonymous,
    Outsider,
    Member,
    Admin,
    Owner,
}

/// <summary>A signed-in user of the matrix, with a hub connection and a ginchat socket open for the whole run.</summary>
public sealed record MatrixUser(long Id, string Name, string Token, ChatClient Hub, ClientWebSocket Socket) : IAsyncDisposable
{
    /// <summary>One frame at a time on the socket: the cells that use it take turns.</summary>
    public SemaphoreSlim SocketTurn { get; } = new(1, 1);

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Socket.Dispose();
    }
}

/// <summary>
/// What a cell acts on, made fresh for every cell that changes something, so each cell starts from
/// the same state: a group of the owner with the admin (promoted) and the member; in it a message of
/// the owner, one of the member, an image of the owner, and a recalled image; in the owner's direct
/// conversation with the member a message of each and an image; an upload of the owner sent nowhere;
/// the member's comment on the owner's video. A call rings in the group when a row needs one.
/// </summary>
public sealed record Situation(
    long GroupId, long OwnerGroupSeq, long MemberGroupSeq, long OwnerDirectSeq, long MemberDirectSeq,
    long SharedMedia, long DirectMedia, long PrivateMedia, long RecalledMedia, long MemberComment, string? CallId)
{
    public string Group => ConversationIds.Group(GroupId);
}

/// <summary>
/// One host for the whole matrix (a class fixture): the actors, each signed in once (a hub connection
/// and a ginchat socket each), the owner's published video, and the situations cells act on.
/// </summary>
public sealed class MatrixScene : IAsyncLifetime
{
    const string Password = "secret-pw";
    readonly Dictionary<Actor, MatrixUser> _users = [];
    int _spares;

    public GoChatHost Host { get; private set; } = null!;
    public long VideoId { get; private set; }
    public string DataDir { get; } = TestDatabase.NewTempDirectory("gochat-matrix");
    public Situation Shared { get; private set; } = null!;

    /// <summary>The text of the owner's message to the member (one word: rows look for it in lists).</summary>
    public const string OwnerPrivateWords = "owner-private-words";

    public MatrixUser this[Actor actor] => _users[actor];
    public string Direct => ConversationIds.Direct(this[Actor.Owner].Id, this[Actor.Member].Id);

    public async Task InitializeAsync()
    {
        // Every cell sets up its own situation (a group, messages, media) as fast as it is answered: the limits are raised.
        Host = await GoChatHost.StartAsync(settings: [$"--GoChat:DataDir={DataDir}", .. GoChatHost.RaisedAccountLimits]);
        // The first account of an empty server becomes its administrator: an operator's, so the actors are people.
        await Host.RegisterAsync("operator", Password);
        foreach (var actor in new[] { Actor.Outsider, Actor.Member, Actor.Admin, Actor.Owner })
        {
            var name = actor.ToString().ToLowerInvariant();
            var (id, token) = await Host.RegisterAsync(name, Password);
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(SocketUri("/user/sendUserMsg", id, token), CancellationToken.None);
            _users[actor] = new MatrixUser(id, name, token, await ChatClient.ConnectAsync(Host, token), socket);
        }
        using var client = Host.Client();
        Assert.Equal(0, (await Publish(client, this[Actor.Owner].Token, SampleVideo.Value, "the owner's video")).GetProperty("status_code").GetInt32());
        VideoId = (await client.GetFromJsonAsync<JsonElement>("/douyin/feed/")).GetProperty("video_list")[0].GetProperty("id").GetInt64();
        Shared = await SituationAsync(withCall: false);
    }

    public Uri SocketUri(string path, long userId, string? token) =>
        new UriBuilder(new Uri(Host.BaseAddress, token is null ? $"{path}?userId={userId}" : $"{path}?userId={userId}&token={token}")) { Scheme = "ws" }.Uri;

    /// <summary>A new account, to be added to or named by a cell (its own, so cells do not meet).</summary>
    public async Task<long> SpareAsync() => (await Host.RegisterAsync($"spare{Interlocked.Increment(ref _spares)}", Password)).UserId;

    /// <param name="withCall">The owner starts a call in the group, and (<paramref name="answered"/>) the member answers it.</param>
    public async Task<Situation> SituationAsync(bool withCall, bool answered = false)
    {
        var owner = this[Actor.Owner];
        var member = this[Actor.Member];
        using var asOwner = Host.Client(owner.Token);
        using var asMember = Host.Client(member.Token);
        var group = await Ok(asOwner.PostAsJsonAsync("/api/v1/groups", new { name = "matrix", memberIds = new[] { this[Actor.Admin].Id, member.Id } }));
        var groupId = group.GetProperty("id").GetInt64();
        await PromoteAsync(groupId, this[Actor.Admin].Id);

        var conversation = ConversationIds.Group(groupId);
        var ownerGroupSeq = await SendAsync(asOwner, conversation, "the owner's words");
        var memberGroupSeq = await SendAsync(asMember, conversation, "the member's words");
        var shared = await UploadAsync(asOwner);
        await SendAsync(asOwner, conversation, null, shared);
        var recalled = await UploadAsync(asOwner);
        var recalledSeq = await SendAsync(asOwner, conversation, null, recalled);
        Assert.True((await asOwner.DeleteAsync($"/api/v1/conversations/{conversation}/messages/{recalledSeq}")).IsSuccessStatusCode);

        var ownerDirectSeq = await SendAsync(asOwner, Direct, OwnerPrivateWords);
        var memberDirectSeq = await SendAsync(asMember, Direct, "the member's private words");
        var direct = await UploadAsync(asOwner);
        await SendAsync(asOwner, Direct, null, direct);
        var privateMedia = await UploadAsync(asOwner);

        var comment = await Ok(asMember.PostAsync($"/douyin/comment/action/?token={member.Token}&video_id={VideoId}&action_type=1&comment_text=nice", null));
        string? callId = null;
        if (withCall)
            callId = (await owner.Hub.Connection.InvokeAsync<JsonElement>("StartCall", conversation, "audio")).GetProperty("callId").GetString();
        if (answered) await member.Hub.Connection.InvokeAsync<JsonElement>("AcceptCall", callId);
        return new Situation(groupId, ownerGroupSeq, memberGroupSeq, ownerDirectSeq, memberDirectSeq, shared, direct, privateMedia, recalled,
            comment.GetProperty("comment").GetProperty("id").GetInt64(), callId);
    }

    /// <summary>Ends a situation's call, so nobody is busy in the next (each of them leaves; errors are expected for who already left).</summary>
    public async Task EndCallAsync(Situation situation)
    {
        if (situation.CallId is not { } callId) return;
        foreach (var actor in new[] { Actor.Member, Actor.Admin, Actor.Owner })
            try
            {
                await this[actor].Hub.Connection.InvokeAsync<JsonElement>("LeaveCall", callId);
            }
            catch (Microsoft.AspNetCore.SignalR.HubException)
            {
            }
    }

    /// <summary>
    /// Makes a member a group admin. No route does that yet (roles exist in the data: only the owner
    /// removes an admin, admins add and remove members), so the row is changed and the group's grain
    /// reloads it.
    /// </summary>
    async Task PromoteAsync(long groupId, long userId)
    {
        await Sql.ExecuteAsync(Host.ConnectionString, $"UPDATE group_members SET role = 2 WHERE group_id = {groupId} AND user_id = {userId}");
        var grains = Host.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IGroupGrain>(groupId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20))
            if ((await grains.GetGrain<IGroupGrain>(groupId).GetMembers()).Any(m => m.UserId == userId && m.Role == GroupRole.Admin)) return;
        Assert.Fail($"user {userId} did not become an admin of group {groupId}");
    }

    static async Task<long> SendAsync(HttpClient client, string conversation, string? text, long? mediaId = null)
    {
        var message = await Ok(client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages",
            new { clientMsgId = Guid.NewGuid().ToString("N"), kind = mediaId is null ? "text" : "image", text, mediaId }));
        return message.GetProperty("seq").GetInt64();
    }

    static async Task<long> UploadAsync(HttpClient client) =>
        (await Ok(client.PostAsync("/api/v1/media", MediaTests.Form(MediaTests.TinyPng(), "image/png", "matrix.png")))).GetProperty("id").GetInt64();

    static async Task<JsonElement> Ok(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement.Clone();
        Assert.True(!json.TryGetProperty("status_code", out var status) || status.GetInt32() == 0, text);
        return json;
    }

    public async Task DisposeAsync()
    {
        foreach (var user in _users.Values) await user.DisposeAsync();
        await Host.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
