using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Media;

/// <summary>One host with small media limits, shared by the tests of a class (which run one at a time).</summary>
public class MediaHost : IAsyncLifetime
{
    public const int ImageLimit = 100_000;
    public const int FileLimit = 300_000;

    public string DataDir { get; } = TestDatabase.NewTempDirectory("gochat-media");
    public string MediaDir => Path.Combine(DataDir, "media");
    public GoChatHost Host { get; private set; } = null!;

    protected virtual string[] Limits =>
    [
        $"--GoChat:Media:MaxBytes:Image={ImageLimit}",
        "--GoChat:Media:MaxBytes:Audio=100000",
        "--GoChat:Media:MaxBytes:Video=200000",
        $"--GoChat:Media:MaxBytes:File={FileLimit}",
    ];

    public async Task InitializeAsync() =>
        Host = await GoChatHost.StartAsync(settings: [$"--GoChat:DataDir={DataDir}", .. Limits]);

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Every file under the media directory, temporary ones included.</summary>
    public List<string> FilesOnDisk() =>
        Directory.Exists(MediaDir) ? Directory.GetFiles(MediaDir, "*", SearchOption.AllDirectories).Order().ToList() : [];
}

public sealed class MediaTests(MediaHost media) : IClassFixture<MediaHost>
{
    GoChatHost Host => media.Host;

    [Fact]
    public async Task An_uploaded_png_reads_back_byte_identical_with_its_content_type()
    {
        var (_, token) = await Host.RegisterAsync("png-owner");
        using var client = Host.Client(token);
        var png = TinyPng();

        var response = await client.PostAsync("/api/v1/media", Form(png, "image/png", "dot.png"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var uploaded = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = uploaded.GetProperty("id").GetInt64();
        var url = uploaded.GetProperty("url").GetString();
        Assert.Equal($"/api/v1/media/{id}/content", url);
        Assert.Equal("image/png", uploaded.GetProperty("contentType").GetString());
        Assert.Equal(png.Length, uploaded.GetProperty("size").GetInt64());
        Assert.Equal("dot.png", uploaded.GetProperty("name").GetString());
        Assert.Equal($"/api/v1/media/{id}", response.Headers.Location?.OriginalString);

        var content = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(png, await content.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("dot.png", content.Content.Headers.ContentDisposition?.FileName);
        Assert.Contains("bytes", content.Headers.AcceptRanges);
        Assert.True(content.Headers.CacheControl is { Private: true, MaxAge.TotalDays: >= 365 });
        Assert.Contains("immutable", content.Headers.CacheControl!.Extensions.Select(e => e.Name));
        Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());

        // Content addressed: the file is named by the SHA-256 of the bytes, in shard folders.
        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        Assert.Equal(Path.Combine(media.MediaDir, sha[..2], sha[2..4], sha), Assert.Single(media.FilesOnDisk(), f => f.EndsWith(sha, StringComparison.Ordinal)));
        Assert.Equal($"\"{sha}\"", content.Headers.ETag?.Tag);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(content.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task A_range_request_returns_206_with_the_requested_slice()
    {
        var (_, token) = await Host.RegisterAsync("range-reader");
        using var client = Host.Client(token);
        var png = TinyPng();
        var url = (await Upload(client, png, "image/png")).GetProperty("url").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(10, 19);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(png[10..20], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 10-19/{png.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task A_range_past_the_end_is_answered_416_with_a_problem_and_the_size_in_Content_Range()
    {
        var (_, token) = await Host.RegisterAsync("range-overreacher");
        using var client = Host.Client(token);
        var png = TinyPng();
        var url = (await Upload(client, png, "image/png")).GetProperty("url").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(png.Length + 10, png.Length + 20);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"{png.Length} bytes", await ProblemDetail(response));
        Assert.Equal($"bytes */{png.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Null(response.Headers.ETag);
        Assert.DoesNotContain("immutable", response.Headers.CacheControl?.ToString() ?? "");
    }

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
    public async Task Another_users_media_is_not_found_for_them()
    {
        var (_, ownerToken) = await Host.RegisterAsync("media-owner");
        var (_, otherToken) = await Host.RegisterAsync("media-snoop");
        using var owner = Host.Client(ownerToken);
        var uploaded = await Upload(owner, TinyPng(), "image/png");
        var id = uploaded.GetProperty("id").GetInt64();

        using var other = Host.Client(otherToken);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/media/{id}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/media/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/media/{id + 1000}/content")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/v1/media/{id}")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_token_get_401()
    {
        var (_, token) = await Host.RegisterAsync("token-keeper");
        using var owner = Host.Client(token);
        var url = (await Upload(owner, TinyPng(), "image/png")).GetProperty("url").GetString();

        using var anonymous = Host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{url}?access_token=not-a-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/media", Form(TinyPng(), "image/png"))).StatusCode);
    }

    [Fact]
    public async Task The_token_may_come_from_the_query_string_as_an_img_tag_needs()
    {
        var (_, token) = await Host.RegisterAsync("img-tag");
        using var owner = Host.Client(token);
        var png = TinyPng();
        var url = (await Upload(owner, png, "image/png")).GetProperty("url").GetString();

        using var browser = Host.Client();
        var response = await browser.GetAsync($"{url}?access_token={Uri.EscapeDataString(token)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
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

    async Task<long> MediaRowsOf(long userId) =>
        await Sql.ScalarAsync<long>(Host.ConnectionString, $"SELECT count(*) FROM media WHERE uploader_id = {userId}");

    internal static async Task<JsonElement> Upload(HttpClient client, byte[] bytes, string contentType, string name = "upload")
    {
        var response = await client.PostAsync("/api/v1/media", Form(bytes, contentType, name));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    internal static MultipartFormDataContent Form(byte[] bytes, string contentType, string name = "upload", string field = "file")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, field, name } };
    }

    static async Task<string> ProblemDetail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? "";

    /// <summary>A valid 1x1 RGBA PNG, built chunk by chunk.</summary>
    internal static byte[] TinyPng()
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]); // width 1, height 1, 8-bit RGBA
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write([0, 0x2A, 0x7F, 0xD4, 0xFF]); // filter "none", then one pixel
        WriteChunk(png, "IDAT", pixels.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    static void WriteChunk(Stream png, string type, byte[] data)
    {
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(BigEndian((uint)data.Length));
        png.Write(typed);
        png.Write(BigEndian(Crc32(typed)));
    }

    static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}

/// <summary>A host whose file limit is above Kestrel's default 30 MB request body limit.</summary>
public sealed class LargeMediaHost : MediaHost
{
    public const int FileLimitOverKestrelDefault = 32 * 1024 * 1024;

    protected override string[] Limits => [$"--GoChat:Media:MaxBytes:File={FileLimitOverKestrelDefault}"];
}

public sealed class LargeMediaTests(LargeMediaHost media) : IClassFixture<LargeMediaHost>
{
    [Fact]
    public async Task A_file_over_Kestrels_default_30_MB_body_limit_is_accepted_within_its_kind_limit()
    {
        var (_, token) = await media.Host.RegisterAsync("big-file");
        using var client = media.Host.Client(token);
        var bytes = new byte[31_000_000];
        bytes[0] = 1; // not an MP3 frame, not anything else: a generic file

        var uploaded = await MediaTests.Upload(client, bytes, "application/octet-stream", "backup.bin");

        Assert.Equal(bytes.Length, uploaded.GetProperty("size").GetInt64());
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(bytes.Length, new FileInfo(Path.Combine(media.MediaDir, sha[..2], sha[2..4], sha)).Length);
    }
}
