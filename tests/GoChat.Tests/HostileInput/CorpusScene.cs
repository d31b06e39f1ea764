using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Grains.Users;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;
using GoChat.WebFront.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GoChat.Tests.DouyinApi.DouyinVideoTests;

namespace GoChat.Tests.HostileInput;

/// <summary>A user of the corpus's scene, with something of theirs behind every kind of id a route takes.</summary>
public sealed record CorpusActor(long Id, string Name, string Token, string Direct, long GroupId, long MediaId, long CommentId);

/// <summary>
/// One host for the whole corpus (a class fixture), holding a little of everything a route can
/// name: users who are friends, a direct conversation with a text and an image message, a group
/// with a message, uploaded media, a published video with a comment and a like. Alice sends the
/// input that must be refused; Carol the odd but possibly fine input, which may change her things;
/// Erin sends it to the routes that delete (her account may close); Dave is the account sign-in
/// routes are tried against; Bob is everyone's peer.
/// </summary>
public sealed class CorpusScene : IAsyncLifetime
{
    public GoChatHost Host { get; private set; } = null!;
    public ApiSurface Surface { get; private set; } = null!;
    public CorpusActor Alice { get; private set; } = null!;
    public CorpusActor Carol { get; private set; } = null!;
    public CorpusActor Erin { get; private set; } = null!;
    public long BobId { get; private set; }
    public string BobToken { get; private set; } = "";
    public long DaveId { get; private set; }
    public long VideoId { get; private set; }
    public string DataDir { get; } = TestDatabase.NewTempDirectory("gochat-corpus");
    public Bots.CapturedLogs Logs { get; } = new();
    public const string Password = "secret-pw";

    public async Task InitializeAsync()
    {
        // The log as an operator's would be: the host's own level rules, not the capture's.
        // Bodies up to 16 MiB reach the routes, so multi-megabyte values meet each route's own rules (the
        // body limit itself, and how each dialect answers it, is tested in Security/AbuseLimitTests);
        // the message limits are raised as the corpus sends as fast as it is answered.
        Host = await GoChatHost.StartAsync(null, builder => builder.Logging.AddProvider(Logs), [$"--GoChat:DataDir={DataDir}",
            "--GoChat:Limits:RequestBodyBytes=16777216", .. GoChatHost.RaisedAccountLimits]);
        Surface = await ApiSurface.ReadAsync(Host);
        // The first account of an empty server becomes its administrator: an operator's, so the actors are people.
        await Host.RegisterAsync("operator", Password);
        var (aliceId, alice) = await Host.RegisterAsync("alice", Password);
        (BobId, BobToken) = await Host.RegisterAsync("bob", Password);
        var (carolId, carol) = await Host.RegisterAsync("carol", Password);
        (DaveId, _) = await Host.RegisterAsync("dave", Password);
        var (erinId, erin) = await Host.RegisterAsync("erin", Password);

        using var client = Host.Client();
        var published = await Publish(client, BobToken, SampleVideo.Value, "the corpus's video");
        Assert.Equal(0, published.GetProperty("status_code").GetInt32());
        VideoId = (await client.GetFromJsonAsync<JsonElement>("/douyin/feed/")).GetProperty("video_list")[0].GetProperty("id").GetInt64();

        Alice = await FurnishAsync(aliceId, "alice", alice);
        Carol = await FurnishAsync(carolId, "carol", carol);
        Erin = await FurnishAsync(erinId, "erin", erin);
    }

    /// <summary>A friend (Bob), a direct conversation with a text and an image, a group with Bob, a comment and a like on Bob's video; everything read.</summary>
    async Task<CorpusActor> FurnishAsync(long id, string name, string token)
    {
        using var client = Host.Client(token);
        await Ok(client.PostAsJsonAsync("/api/v1/contacts", new { userId = BobId }));
        var direct = $"d:{Math.Min(id, BobId)}:{Math.Max(id, BobId)}";
        await Ok(client.PostAsJsonAsync($"/api/v1/conversations/{direct}/messages", new { clientMsgId = "seed-1", kind = "text", text = "hello" }));
        var mediaId = (await Ok(client.PostAsync("/api/v1/media", MediaTests.Form(MediaTests.TinyPng(), "image/png", "seed.png")))).GetProperty("id").GetInt64();
        await Ok(client.PostAsJsonAsync($"/api/v1/conversations/{direct}/messages", new { clientMsgId = "seed-2", kind = "image", mediaId }));
        var group = await Ok(client.PostAsJsonAsync("/api/v1/groups", new { name = $"{name}'s group", memberIds = new[] { BobId } }));
        var groupId = group.GetProperty("id").GetInt64();
        await Ok(client.PostAsJsonAsync($"/api/v1/conversations/g:{groupId}/messages", new { clientMsgId = "seed-3", kind = "text", text = "hello group" }));
        // Read to the end, so that marking a seq past the end read (which is clamped) changes nothing.
        await Ok(client.PostAsJsonAsync($"/api/v1/conversations/{direct}/read", new { seq = 2 }));
        await Ok(client.PostAsJsonAsync($"/api/v1/conversations/g:{groupId}/read", new { seq = 1 }));
        var commentId = (await Ok(client.PostAsync($"/douyin/comment/action/?token={token}&video_id={VideoId}&action_type=1&comment_text=nice", null))).GetProperty("comment").GetProperty("id").GetInt64();
        await Ok(client.PostAsync($"/douyin/favorite/action/?token={token}&video_id={VideoId}&action_type=1", null));
        return new CorpusActor(id, name, token, direct, groupId, mediaId, commentId);
    }

    static async Task<JsonElement> Ok(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        Assert.True(json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("status_code", out var status) || status.GetInt32() == 0, text);
        return json;
    }

    /// <summary>
    /// Marks the actor's conversations read to their end. Marking a seq past the end read is clamped
    /// to the end, so it changes nothing only while there is nothing unread (others' tests send).
    /// </summary>
    public async Task ReadEverythingAsync(CorpusActor actor)
    {
        using var client = Host.Client(actor.Token);
        foreach (var conversation in new[] { actor.Direct, $"g:{actor.GroupId}" })
            await Ok(client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/read", new { seq = long.MaxValue }));
    }

    /// <summary>A token for the user issued now, with the account's current token version (it may have changed since the last); "closed" once the account is.</summary>
    public async Task<string> FreshTokenAsync(long userId)
    {
        var tokens = Host.Services.GetRequiredService<TokenService>();
        var expires = DateTime.UtcNow.AddHours(1);
        var started = await Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(userId)
            .StartSession(new NewSession(new SignInContext("127.0.0.1", "corpus"), expires));
        return started.Value is { } signedIn ? await tokens.IssueAsync(userId, signedIn.TokenVersion, signedIn.SessionId, expires) : "closed";
    }

    /// <summary>Log lines at Error or above: a client's bad input is not the server's error, and must not flood the log as one.</summary>
    public IReadOnlyList<string> Errors => Logs.Lines.Where(l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal)).ToList();

    /// <summary>Every table's row count and a digest of its rows: what a refused request must leave as it was.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StateAsync()
    {
        string[] tables = ["users", "follows", "groups", "group_members", "conversation_members", "messages", "media", "media_content", "videos", "favorites", "comments", "bots", "bot_usage"];
        var sql = string.Join(" UNION ALL ", tables.Select(t => $"SELECT '{t}', count(*)::text || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {t} t"));
        await using var connection = new Npgsql.NpgsqlConnection(Host.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var state = new Dictionary<string, string>();
        while (await reader.ReadAsync()) state[reader.GetString(0)] = reader.GetString(1);
        return state;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
