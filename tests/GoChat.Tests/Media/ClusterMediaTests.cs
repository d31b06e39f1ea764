using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Media;

/// <summary>Two WebFronts on one database, each with its own media directory (as two machines would have).</summary>
public sealed class ClusterMediaTests
{
    [Fact]
    public async Task With_database_storage_a_file_uploaded_through_one_webfront_is_served_by_the_other()
    {
        var connectionString = await TestDatabase.CreateAsync();
        await using var first = await GoChatHost.StartAsync(connectionString, "--GoChat:Media:Storage=database", $"--GoChat:Media:Dir={TestDatabase.NewTempDirectory("media-a")}");
        await using var second = await GoChatHost.StartAsync(connectionString, "--GoChat:Media:Storage=database", $"--GoChat:Media:Dir={TestDatabase.NewTempDirectory("media-b")}");
        var (_, token) = await first.RegisterAsync("cluster_media_owner");
        var bytes = new byte[MediaContentChunk * 2 + 12345]; // three chunks, the last one partial
        Random.Shared.NextBytes(bytes);

        var (image, file) = (await Upload(first, token, MediaTests.TinyPng(), "image/png"), await Upload(first, token, bytes, "application/octet-stream"));

        using var other = second.Client(token);
        Assert.Equal(MediaTests.TinyPng(), await other.GetByteArrayAsync($"/api/v1/media/{image}/content"));
        Assert.Equal(bytes, await other.GetByteArrayAsync($"/api/v1/media/{file}/content"));
        var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/media/{file}/content") { Headers = { Range = new(10, 19) } };
        var partial = await other.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[10..20], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task With_directory_storage_and_directories_not_shared_the_other_webfront_cannot_serve_it()
    {
        // The limit database storage removes: documented in docs/deploy.md.
        var connectionString = await TestDatabase.CreateAsync();
        await using var first = await GoChatHost.StartAsync(connectionString, $"--GoChat:Media:Dir={TestDatabase.NewTempDirectory("media-a")}");
        await using var second = await GoChatHost.StartAsync(connectionString, $"--GoChat:Media:Dir={TestDatabase.NewTempDirectory("media-b")}");
        var (_, token) = await first.RegisterAsync("split_media_owner");
        var image = await Upload(first, token, MediaTests.TinyPng(), "image/png");
        using var other = second.Client(token);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/media/{image}/content")).StatusCode);
    }

    const int MediaContentChunk = 1024 * 1024;

    static async Task<long> Upload(GoChatHost host, string token, byte[] bytes, string contentType)
    {
        using var client = host.Client(token);
        var response = await client.PostAsync("/api/v1/media", MediaTests.Form(bytes, contentType, "upload.bin"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }
}
