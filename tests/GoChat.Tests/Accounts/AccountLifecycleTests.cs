using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GoChat.Grains.Media;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Accounts;

/// <summary>
/// The owner's account over its life: a new password, the sessions it has and ending one, deleting
/// the account (what is erased, what stays), and exporting what it holds. One host for the class.
/// </summary>
public sealed class AccountLifecycleTests(AccountScene scene) : IClassFixture<AccountScene>
{
    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    static HttpRequestMessage DeleteMe(object? body) =>
        new(HttpMethod.Delete, "/api/v1/users/me") { Content = body is null ? null : JsonContent.Create(body) };

    static async Task<JsonElement> Created(HttpResponseMessage response)
    {
        var body = await AccountScene.Body(response);
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return body;
    }

    static async Task<JsonElement> Send(HttpClient client, string conversation, string text, long? mediaId = null, string kind = "text") =>
        await Created(await client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages",
            new { clientMsgId = Guid.NewGuid().ToString("N"), kind, text, mediaId }));

    [Fact]
    public async Task A_new_password_ends_every_other_session_and_this_one_goes_on_with_a_replacement_token()
    {
        var (changerId, first) = await scene.Host.RegisterAsync("changer", "old-password");
        var other = await scene.Token("changer", "old-password");
        await using var otherLive = await LiveConnections.OpenAsync(scene.Host, changerId, other);
        using var client = scene.Client(first);
        var sessionsBefore = (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/users/me/sessions"))!;
        Assert.Equal(2, sessionsBefore.Length);
        var mine = sessionsBefore.Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();

        var changed = await Created(await client.PostAsJsonAsync("/api/v1/users/me/password", new { currentPassword = "old-password", newPassword = "new-password" }));
        await otherLive.AssertClosedPromptly();
        var replacement = changed.GetProperty("token").GetString()!;
        foreach (var revoked in new[] { first, other })
            using (var old = scene.Client(revoked))
                await AccountScene.Problem(await old.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
        using var next = scene.Client(replacement);
        var sessionsAfter = (await next.GetFromJsonAsync<JsonElement[]>("/api/v1/users/me/sessions"))!;
        var kept = Assert.Single(sessionsAfter);
        Assert.Equal(mine, kept.GetProperty("id").GetString());
        Assert.True(kept.GetProperty("current").GetBoolean());
        Assert.Contains("wrong password", await AccountScene.Problem(await scene.Login("changer", "old-password"), HttpStatusCode.Unauthorized));
        await scene.Token("changer", "new-password");
    }

    [Fact]
    public async Task A_password_change_says_what_is_wrong_with_the_request()
    {
        var (_, token) = await scene.Host.RegisterAsync("picky", "picky-password");
        using var anonymous = scene.Client();
        using var client = scene.Client(token);
        const string path = "/api/v1/users/me/password";
        await AccountScene.Problem(await anonymous.PostAsJsonAsync(path, new { currentPassword = "picky-password", newPassword = "whatever-1" }), HttpStatusCode.Unauthorized);
        Assert.Contains("currentPassword, newPassword", await AccountScene.Problem(await client.PostAsync(path, null), HttpStatusCode.BadRequest));
        Assert.Contains("currentPassword, newPassword", await AccountScene.Problem(await client.PostAsJsonAsync(path, new { currentPassword = "picky-password" }), HttpStatusCode.BadRequest));
        Assert.Contains("newPassword must be 6-64", await AccountScene.Problem(
            await client.PostAsJsonAsync(path, new { currentPassword = "picky-password", newPassword = "short" }), HttpStatusCode.BadRequest));
        Assert.Contains("wrong type", await AccountScene.Problem(await client.PostAsJsonAsync(path, new { currentPassword = 5, newPassword = "long-enough" }), HttpStatusCode.BadRequest));
        Assert.Contains("currentPassword", await AccountScene.Problem(
            await client.PostAsJsonAsync(path, new { currentPassword = "not-mine", newPassword = "long-enough" }), HttpStatusCode.Forbidden));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/users/me")).StatusCode); // nothing changed
    }

    [Fact]
    public async Task Sessions_say_when_where_and_from_what_and_ending_one_ends_only_it_and_its_connections()
    {
        var (travellerId, _) = await scene.Host.RegisterAsync("traveller", "travel-pw");
        var phone = await scene.Token("traveller", "travel-pw", "Phone/1.0");
        await using var phoneLive = await LiveConnections.OpenAsync(scene.Host, travellerId, phone);
        var laptop = await scene.Token("traveller", "travel-pw", "Laptop/2.0");
        using var client = scene.Client(laptop);

        var sessions = (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/users/me/sessions"))!;
        Assert.Equal(3, sessions.Length);
        var current = Assert.Single(sessions, s => s.GetProperty("current").GetBoolean());
        Assert.Equal("Laptop/2.0", current.GetProperty("userAgent").GetString());
        Assert.All(sessions, s =>
        {
            Assert.Equal("127.0.0.1", s.GetProperty("address").GetString());
            Assert.True(s.GetProperty("expiresAt").GetDateTime() > DateTime.UtcNow.AddDays(29));
            Assert.True(s.GetProperty("lastSeenAt").GetDateTime() >= s.GetProperty("createdAt").GetDateTime());
        });
        var phoneSession = sessions.Single(s => s.GetProperty("userAgent").GetString() == "Phone/1.0").GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/users/me/sessions/{phoneSession}")).StatusCode);
        await phoneLive.AssertClosedPromptly();
        using (var ended = scene.Client(phone))
            await AccountScene.Problem(await ended.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/users/me")).StatusCode);
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement[]>("/api/v1/users/me/sessions"))!.Length);

        Assert.Contains("no session", await AccountScene.Problem(await client.DeleteAsync($"/api/v1/users/me/sessions/{phoneSession}"), HttpStatusCode.NotFound));
        Assert.Contains("session id", await AccountScene.Problem(await client.DeleteAsync("/api/v1/users/me/sessions/not-a-session"), HttpStatusCode.BadRequest));
        using (var root = scene.Client(scene.RootToken))
        {
            var rootSession = (await root.GetFromJsonAsync<JsonElement[]>("/api/v1/users/me/sessions"))![0].GetProperty("id").GetString();
            Assert.Contains("no session", await AccountScene.Problem(await client.DeleteAsync($"/api/v1/users/me/sessions/{rootSession}"), HttpStatusCode.NotFound));
        }
        using var anonymous = scene.Client();
        await AccountScene.Problem(await anonymous.GetAsync("/api/v1/users/me/sessions"), HttpStatusCode.Unauthorized);
        await AccountScene.Problem(await anonymous.DeleteAsync($"/api/v1/users/me/sessions/{phoneSession}"), HttpStatusCode.Unauthorized);

        // Logout still ends every session of the account.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        Assert.Empty(await Sql.ColumnAsync(scene.Host.ConnectionString, $"SELECT id FROM sessions WHERE user_id = {travellerId}"));
    }

    [Fact]
    public async Task Deleting_the_account_erases_its_personal_data_and_keeps_its_messages_from_Deleted_user_under_a_reserved_name()
    {
        var (leaverId, token) = await scene.Host.RegisterAsync("leaver", "leaving-pw");
        var (stayerId, stayerToken) = await scene.Host.RegisterAsync("stayer");
        using var leaver = scene.Client(token);
        using var stayer = scene.Client(stayerToken);
        var avatar = await MediaTests.Upload(leaver, RandomFile(), "application/octet-stream", "me.bin");
        Assert.True((await leaver.PatchAsJsonAsync("/api/v1/users/me", new
        {
            displayName = "Lea Ver", signature = "about me", email = "lea@example.org", phone = "+1 555 0100",
            avatarUrl = avatar.GetProperty("url").GetString(),
        })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Created, (await leaver.PostAsJsonAsync("/api/v1/contacts", new { userId = stayerId })).StatusCode);
        var unsharedBytes = RandomFile();
        var unshared = await MediaTests.Upload(leaver, unsharedBytes, "application/octet-stream", "diary.bin");
        var shared = await MediaTests.Upload(leaver, RandomFile(), "application/octet-stream", "shared.bin");
        var conversation = Direct(leaverId, stayerId);
        await Send(leaver, conversation, "hello before I go");
        await Send(leaver, conversation, "a file", shared.GetProperty("id").GetInt64(), "file");
        var group = await Created(await leaver.PostAsJsonAsync("/api/v1/groups", new { name = "Leaving party", memberIds = new[] { stayerId } }));
        Assert.Equal(0, (await GoChat.Tests.DouyinApi.DouyinVideoTests.Publish(leaver, token, GoChat.Tests.DouyinApi.DouyinVideoTests.SampleVideo.Value, "my last clip")).GetProperty("status_code").GetInt32());
        var videoId = (await LegacyDialectAccountTests.Douyin(leaver, HttpMethod.Get, $"/douyin/publish/list/?user_id={leaverId}"))
            .GetProperty("video_list")[0].GetProperty("id").GetInt64();
        Assert.Equal(0, (await LegacyDialectAccountTests.Douyin(leaver, HttpMethod.Post, "/douyin/comment/action/",
            new() { ["token"] = token, ["video_id"] = videoId.ToString(), ["action_type"] = "1", ["comment_text"] = "bye all" })).GetProperty("status_code").GetInt32());

        using var anonymous = scene.Client();
        await AccountScene.Problem(await anonymous.SendAsync(DeleteMe(new { password = "leaving-pw" })), HttpStatusCode.Unauthorized);
        Assert.Contains("{password}", await AccountScene.Problem(await leaver.SendAsync(DeleteMe(null)), HttpStatusCode.BadRequest));
        Assert.Contains("{password}", await AccountScene.Problem(await leaver.SendAsync(DeleteMe(new { })), HttpStatusCode.BadRequest));
        Assert.Contains("password", await AccountScene.Problem(await leaver.SendAsync(DeleteMe(new { password = "not-it" })), HttpStatusCode.Forbidden));
        Assert.Equal(HttpStatusCode.NoContent, (await leaver.SendAsync(DeleteMe(new { password = "leaving-pw" }))).StatusCode);

        // Signed out everywhere, never signed in again, and the name stays taken.
        await AccountScene.Problem(await leaver.GetAsync("/api/v1/users/me"), HttpStatusCode.Unauthorized);
        await AccountScene.Problem(await scene.Login("leaver", "leaving-pw"), HttpStatusCode.NotFound);
        await AccountScene.Problem(await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { username = "LEAVER", password = "squatter-pw" }), HttpStatusCode.Conflict);

        // Erased: the profile, the contacts, the group membership, the uploads no conversation shows.
        var row = await Sql.ColumnAsync(scene.Host.ConnectionString,
            $"SELECT concat_ws('|', username, display_name, signature, email, phone, avatar_url, password_hash, client_ip, device_info, deleted_at IS NOT NULL) FROM users WHERE id = {leaverId}");
        Assert.Equal("leaver|||||||||t", Assert.Single(row));
        Assert.Equal("0", (await Sql.ColumnAsync(scene.Host.ConnectionString,
            $"SELECT (SELECT count(*) FROM follows WHERE {leaverId} IN (follower_id, followee_id)) + (SELECT count(*) FROM sessions WHERE user_id = {leaverId})"))[0]);
        Assert.Empty((await stayer.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!);
        var members = (await stayer.GetFromJsonAsync<JsonElement>($"/api/v1/groups/{group.GetProperty("id").GetInt64()}")).GetProperty("members");
        Assert.Equal(stayerId, Assert.Single(members.EnumerateArray()).GetProperty("user").GetProperty("id").GetInt64());
        var kept = await Sql.ColumnAsync(scene.Host.ConnectionString, $"SELECT id FROM media WHERE uploader_id = {leaverId}");
        // Kept: the file sent in the conversation, and the published video with its cover.
        Assert.Contains(shared.GetProperty("id").GetInt64().ToString(), kept);
        Assert.Equal(3, kept.Count);
        Assert.DoesNotContain(unshared.GetProperty("id").GetInt64().ToString(), kept);
        Assert.DoesNotContain(avatar.GetProperty("id").GetInt64().ToString(), kept);
        var files = scene.Host.Services.GetRequiredService<MediaFiles>();
        Assert.False(File.Exists(files.PathOf(Convert.ToHexStringLower(SHA256.HashData(unsharedBytes)))));
        Assert.Equal(HttpStatusCode.NotFound, (await stayer.GetAsync($"/api/v1/media/{unshared.GetProperty("id").GetInt64()}")).StatusCode);

        // Kept: the messages, from "Deleted user", readable by the other member, who can no longer write to them;
        // also once the conversation is activated afresh (as after a restart), finding the account deleted by itself.
        await scene.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<GoChat.Grains.Chat.IConversationGrain>(conversation)
            .AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        var history = (await stayer.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages"))!;
        Assert.Equal(new[] { "hello before I go", "a file" }, history.Select(m => m.GetProperty("text").GetString()).ToArray());
        Assert.Equal(HttpStatusCode.OK, (await stayer.GetAsync($"/api/v1/media/{shared.GetProperty("id").GetInt64()}/content")).StatusCode);
        var sender = await stayer.GetFromJsonAsync<JsonElement>($"/api/v1/users/{leaverId}");
        Assert.Equal("Deleted user", sender.GetProperty("displayName").GetString());
        Assert.Equal("", sender.GetProperty("username").GetString());
        var listed = (await stayer.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations"))!.Single(c => c.GetProperty("id").GetString() == conversation);
        Assert.Equal("Deleted user", listed.GetProperty("title").GetString());
        Assert.Equal("Deleted user", listed.GetProperty("peer").GetProperty("displayName").GetString());
        Assert.Contains("deleted", await AccountScene.Problem(await stayer.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages",
            new { clientMsgId = "to-nobody", kind = "text", text = "are you there?" }), HttpStatusCode.Forbidden));
        var douyin = await LegacyDialectAccountTests.Douyin(anonymous, HttpMethod.Get, $"/douyin/user/?user_id={leaverId}");
        Assert.Equal("Deleted user", douyin.GetProperty("user").GetProperty("name").GetString());
        var douyinChat = await LegacyDialectAccountTests.Douyin(anonymous, HttpMethod.Get, $"/douyin/message/chat/?token={stayerToken}&to_user_id={leaverId}");
        Assert.Equal(2, douyinChat.GetProperty("message_list").GetArrayLength());
        // Published videos and comments are kept too (shared like messages), from "Deleted user".
        var comment = (await LegacyDialectAccountTests.Douyin(anonymous, HttpMethod.Get, $"/douyin/comment/list/?video_id={videoId}")).GetProperty("comment_list")[0];
        Assert.Equal(("bye all", "Deleted user"), (comment.GetProperty("content").GetString(), comment.GetProperty("user").GetProperty("name").GetString()));
        var video = (await LegacyDialectAccountTests.Douyin(anonymous, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list").EnumerateArray()
            .Single(v => v.GetProperty("id").GetInt64() == videoId);
        Assert.Equal("Deleted user", video.GetProperty("author").GetProperty("name").GetString());
        var douyinSend = await LegacyDialectAccountTests.Douyin(anonymous, HttpMethod.Post,
            $"/douyin/message/action/?token={stayerToken}&to_user_id={leaverId}&action_type=1&content=hello");
        Assert.Equal(3, douyinSend.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task The_export_is_a_JSON_download_of_the_profile_the_contacts_and_every_message_the_user_sent()
    {
        var (exporterId, token) = await scene.Host.RegisterAsync("exporter");
        var (friendId, friendToken) = await scene.Host.RegisterAsync("export-friend");
        using var exporter = scene.Client(token);
        using var friend = scene.Client(friendToken);
        Assert.Equal(HttpStatusCode.Created, (await exporter.PostAsJsonAsync("/api/v1/contacts", new { userId = friendId })).StatusCode);
        var conversation = Direct(exporterId, friendId);
        // More than one page of the export (500), so it is written a page at a time.
        const int Sent = 505;
        foreach (var batch in Enumerable.Range(0, Sent).Chunk(25))
            await Task.WhenAll(batch.Select(i => Send(exporter, conversation, $"mine {i}")));
        await Send(friend, conversation, "the friend's own words");
        var group = await Created(await exporter.PostAsJsonAsync("/api/v1/groups", new { name = "Exporters", memberIds = new[] { friendId } }));
        await Send(exporter, group.GetProperty("conversationId").GetString()!, "in the group");

        var response = await exporter.GetAsync("/api/v1/users/me/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"gochat-export-{exporterId}.json", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.True(response.Headers.CacheControl?.NoStore);
        var export = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("exporter", export.GetProperty("profile").GetProperty("username").GetString());
        Assert.Equal(friendId, Assert.Single(export.GetProperty("contacts").EnumerateArray()).GetProperty("id").GetInt64());
        var messages = export.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(Sent + 1, messages.Count);
        Assert.All(messages, m => Assert.Equal(exporterId, m.GetProperty("senderId").GetInt64()));
        Assert.Equal(Sent, messages.Select(m => m.GetProperty("text").GetString()).Where(t => t!.StartsWith("mine ")).Distinct().Count());
        Assert.Contains(messages, m => m.GetProperty("text").GetString() == "in the group");

        using var anonymous = scene.Client();
        await AccountScene.Problem(await anonymous.GetAsync("/api/v1/users/me/export"), HttpStatusCode.Unauthorized);
    }

    /// <summary>Bytes no other upload has, so their content file is this upload's alone.</summary>
    static byte[] RandomFile() => RandomNumberGenerator.GetBytes(64);
}
