using GoChat.Grains.Media;

namespace GoChat.Tests.Rules;

/// <summary>What an upload is comes from its first bytes; the declared type can only narrow it.</summary>
[Trait("Tier", "Fast")]
public sealed class MediaSniffingTests
{
    static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    static byte[] Ftyp(string brand) => [0, 0, 0, 0x18, .. "ftyp"u8.ToArray(), .. System.Text.Encoding.ASCII.GetBytes(brand), 0, 0, 0, 0];
    static readonly byte[] WebM = [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, .. "webm"u8.ToArray()];
    static readonly byte[] Html = "<html><script>alert(1)</script>"u8.ToArray();

    [Theory]
    [InlineData("png", null, "image/png")]
    [InlineData("png", "application/octet-stream", "image/png")]
    [InlineData("jpeg", "image/png", "image/jpeg")]           // the bytes decide the type served
    [InlineData("mp4", null, "video/mp4")]
    [InlineData("mp4", "audio/mp4", "audio/mp4")]              // an MP4 declared as audio is a voice message
    [InlineData("m4a", null, "audio/mp4")]
    [InlineData("webm", "audio/webm;codecs=opus", "audio/webm")]
    [InlineData("webm", null, "video/webm")]
    [InlineData("html", "text/html", "application/octet-stream")] // never served as something a browser runs
    [InlineData("heic", null, "application/octet-stream")]
    public void The_content_decides_what_an_upload_is_served_as(string content, string? declared, string served)
    {
        var identified = MediaFormats.Identify(Bytes(content), declared);
        Assert.Null(identified.Error);
        Assert.Equal(served, identified.Value!.ContentType);
    }

    [Theory]
    [InlineData("html", "image/png", "not a PNG, JPEG, GIF or WebP image")]
    [InlineData("png", "video/mp4", "not an MP4, QuickTime (MOV) or WebM video")]
    [InlineData("html", "audio/mpeg", "not Ogg (Opus/Vorbis/FLAC), WebM, MP3, M4A/MP4 or WAV audio")]
    public void Media_declared_as_a_kind_its_bytes_are_not_is_refused(string content, string declared, string reason) =>
        Assert.Contains(reason, MediaFormats.Identify(Bytes(content), declared).Error!.Message);

    [Fact]
    public void An_empty_upload_is_a_generic_file() =>
        Assert.Equal(MediaFormat.GenericFile, MediaFormats.Identify([], null).Value);

    static byte[] Bytes(string content) => content switch
    {
        "png" => Png,
        "jpeg" => Jpeg,
        "mp4" => Ftyp("isom"),
        "m4a" => Ftyp("M4A "),
        "heic" => Ftyp("heic"),
        "webm" => WebM,
        _ => Html,
    };
}
