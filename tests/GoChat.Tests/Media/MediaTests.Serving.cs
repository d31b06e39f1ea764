using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace GoChat.Tests.Media;

/// <summary>Reading media back: the bytes and headers, ranges, and who may read it.</summary>
public sealed partial class MediaTests
{
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
}
