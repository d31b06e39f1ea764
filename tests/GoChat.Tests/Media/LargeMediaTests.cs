using System.Security.Cryptography;

namespace GoChat.Tests.Media;

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
