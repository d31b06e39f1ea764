using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;

namespace GoChat.Tests.Messaging;

public sealed class MediaMessageTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={TestDatabase.NewTempDirectory("gochat-media-msg")}");
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_image_sent_in_a_conversation_reaches_the_peer_who_may_then_download_it_and_nobody_else()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        var (_, mallory) = await _host.RegisterAsync("mallory");
        using var aliceHttp = _host.Client(alice);
        using var bobHttp = _host.Client(bob);
        using var malloryHttp = _host.Client(mallory);
        var png = MediaTests.TinyPng();
        var upload = await MediaTests.Upload(aliceHttp, png, "image/png", "dot.png");
        var mediaId = upload.GetProperty("id").GetInt64();
        var url = upload.GetProperty("url").GetString()!;

        // before it is sent, only the uploader reads it
        Assert.Equal(HttpStatusCode.NotFound, (await bobHttp.GetAsync(url)).StatusCode);

        await using var bobHub = await ChatClient.ConnectAsync(_host, bob);
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        var sent = await aliceHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "img", kind = "image", mediaId });
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);

        var received = await bobHub.WaitFor("message", m => m.GetProperty("clientMsgId").GetString() == "img");
        var media = received.GetProperty("media");
        Assert.Equal("image/png", media.GetProperty("contentType").GetString());
        Assert.Equal(png.Length, media.GetProperty("size").GetInt64());
        Assert.Equal(url, media.GetProperty("url").GetString());
        Assert.Equal(png, await bobHttp.GetByteArrayAsync(url));
        Assert.Equal(HttpStatusCode.NotFound, (await malloryHttp.GetAsync(url)).StatusCode);

        var history = await bobHttp.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages");
        Assert.Equal("dot.png", history!.Single().GetProperty("media").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Media_must_be_the_senders_own_and_of_the_messages_kind()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        using var aliceHttp = _host.Client(alice);
        using var bobHttp = _host.Client(bob);
        var mediaId = (await MediaTests.Upload(aliceHttp, MediaTests.TinyPng(), "image/png")).GetProperty("id").GetInt64();
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";

        var stolen = await bobHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "x", kind = "image", mediaId });
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        var wrongKind = await aliceHttp.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = "y", kind = "audio", mediaId });
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        Assert.Contains("not audio", await wrongKind.Content.ReadAsStringAsync());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM messages"));
    }
}
