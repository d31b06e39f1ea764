using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace GoChat.Tests.Media;

/// <summary>Uploading: what is refused (and leaves nothing behind), and how what is accepted is typed, named and stored.</summary>
public sealed partial class MediaTests
{
    [Fact]
    public async Task A_text_file_declared_as_an_image_is_refused_and_nothing_is_stored()
    {
        var (userId, token) = await Host.RegisterAsync("liar");
        using var client = Host.Client(token);
        var before = media.FilesOnDisk();

        var response = await client.PostAsync("/api/v1/media", Form("<script>alert(1)</script>"u8.ToArray(), "image/png", "cat.png"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("declared as image/png", await ProblemDetail(response));
        Assert.Equal(0L, await MediaRowsOf(userId));
        Assert.Equal(before, media.FilesOnDisk());
    }

    [Fact]
    public async Task Audio_and_video_types_need_matching_bytes_too()
    {
        var (_, token) = await Host.RegisterAsync("av-liar");
        using var client = Host.Client(token);
        var audio = await client.PostAsync("/api/v1/media", Form(TinyPng(), "audio/ogg", "voice.ogg"));
        Assert.Equal(HttpStatusCode.BadRequest, audio.StatusCode);
        Assert.Contains("declared as audio/ogg", await ProblemDetail(audio));
        var video = await client.PostAsync("/api/v1/media", Form(new byte[1000], "video/mp4", "clip.mp4"));
        Assert.Equal(HttpStatusCode.BadRequest, video.StatusCode);
    }

    [Fact]
    public async Task An_image_over_its_limit_is_refused_with_413_and_leaves_no_file()
    {
        var (userId, token) = await Host.RegisterAsync("big-image");
        using var client = Host.Client(token);
        var before = media.FilesOnDisk();
        byte[] tooBig = [.. TinyPng(), .. new byte[MediaHost.ImageLimit]];

        var response = await client.PostAsync("/api/v1/media", Form(tooBig, "image/png", "huge.png"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("allowed for images", await ProblemDetail(response));
        Assert.Equal(0L, await MediaRowsOf(userId));
        Assert.Equal(before, media.FilesOnDisk());
    }

    [Fact]
    public async Task A_body_over_the_largest_limit_is_refused_with_413_and_leaves_no_file()
    {
        var (userId, token) = await Host.RegisterAsync("big-body");
        using var client = Host.Client(token);
        var before = media.FilesOnDisk();

        // Larger than the route's own body limit (largest kind + multipart allowance): refused before any
        // of it is read. With "Expect: 100-continue" the client learns so before sending the body at all.
        client.DefaultRequestHeaders.ExpectContinue = true;
        var response = await client.PostAsync("/api/v1/media", Form(new byte[3 * 1024 * 1024], "application/octet-stream", "dump.bin"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the largest file accepted", await ProblemDetail(response));
        Assert.Equal(0L, await MediaRowsOf(userId));
        Assert.Equal(before, media.FilesOnDisk());
    }

    [Fact]
    public async Task A_multipart_body_cut_short_is_refused_with_400_and_leaves_no_file()
    {
        var (userId, token) = await Host.RegisterAsync("cut-short");
        using var client = Host.Client(token);
        var before = media.FilesOnDisk();
        byte[] body = [.. "--cut\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"u8, .. TinyPng()];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=cut");

        var response = await client.PostAsync("/api/v1/media", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not be read", await ProblemDetail(response));
        Assert.Equal(0L, await MediaRowsOf(userId));
        Assert.Equal(before, media.FilesOnDisk());
    }

    [Fact]
    public async Task An_upload_without_a_file_field_is_refused_with_400()
    {
        var (_, token) = await Host.RegisterAsync("no-file");
        using var client = Host.Client(token);

        var wrongField = await client.PostAsync("/api/v1/media", Form(TinyPng(), "image/png", field: "picture"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongField.StatusCode);
        Assert.Contains("'file'", await ProblemDetail(wrongField));

        var notMultipart = await client.PostAsJsonAsync("/api/v1/media", new { file = "dot.png" });
        Assert.Equal(HttpStatusCode.BadRequest, notMultipart.StatusCode);
        Assert.Contains("multipart/form-data", await ProblemDetail(notMultipart));

        var empty = await client.PostAsync("/api/v1/media", Form([], "application/octet-stream"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task Unrecognised_bytes_are_a_generic_file_downloaded_as_an_attachment_under_a_clean_name()
    {
        var (_, token) = await Host.RegisterAsync("file-sender");
        using var client = Host.Client(token);
        var text = "<html><script>alert(1)</script></html>"u8.ToArray();

        var uploaded = await Upload(client, text, "text/html", "../../etc/\u202Egnp.exe");
        Assert.Equal("application/octet-stream", uploaded.GetProperty("contentType").GetString());
        Assert.Equal("gnp.exe", uploaded.GetProperty("name").GetString());

        var response = await client.GetAsync(uploaded.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("gnp.exe", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(text, await response.Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain(media.FilesOnDisk(), f => f.Contains("gnp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_bytes_decide_the_type_even_when_the_client_declares_none()
    {
        var (_, token) = await Host.RegisterAsync("undeclared");
        using var client = Host.Client(token);
        var uploaded = await Upload(client, TinyPng(), "application/octet-stream", "photo");
        Assert.Equal("image/png", uploaded.GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task Long_names_are_shortened_to_255_characters_keeping_the_extension()
    {
        var (_, token) = await Host.RegisterAsync("long-name");
        using var client = Host.Client(token);
        var uploaded = await Upload(client, TinyPng(), "image/png", new string('a', 300) + ".png");
        var name = uploaded.GetProperty("name").GetString()!;
        Assert.Equal(255, name.Length);
        Assert.EndsWith("a.png", name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identical_uploads_are_two_media_sharing_one_file()
    {
        var (_, token) = await Host.RegisterAsync("twice");
        using var client = Host.Client(token);
        byte[] gif = [.. "GIF89a"u8, .. RandomNumberGenerator.GetBytes(100)];
        var first = await Upload(client, gif, "image/gif");
        var second = await Upload(client, gif, "image/gif");

        Assert.NotEqual(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        var sha = Convert.ToHexStringLower(SHA256.HashData(gif));
        Assert.Single(media.FilesOnDisk(), f => f.EndsWith(sha, StringComparison.Ordinal));
    }
}
