using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Media;

/// <summary>The native media routes against one host with small limits (<see cref="MediaHost"/>); the tests are in the files beside this one.</summary>
public sealed partial class MediaTests(MediaHost media) : IClassFixture<MediaHost>
{
    GoChatHost Host => media.Host;

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
