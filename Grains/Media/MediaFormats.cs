using System.Text;

namespace GoChat.Grains.Media;

/// <summary>A content type GoChat will serve an upload as, and the kind it belongs to.</summary>
public sealed record MediaFormat(string ContentType, MediaKind Kind)
{
    public static readonly MediaFormat GenericFile = new("application/octet-stream", MediaKind.File);
}

/// <summary>
/// Decides what an upload is from its first bytes (magic numbers), never from what the client
/// declares alone: a declared image, audio or video type must be backed by bytes of an accepted
/// format of that kind, and anything unrecognised is a generic file. Recognised media declared
/// as something else (say application/octet-stream) is still that media.
/// </summary>
internal static class MediaFormats
{
    /// <summary>How many leading bytes <see cref="Identify"/> wants to see (fewer only when the file is shorter).</summary>
    public const int HeaderLength = 64;

    const string Images = "a PNG, JPEG, GIF or WebP image";
    const string Audio = "Ogg (Opus/Vorbis/FLAC), WebM, MP3, M4A/MP4 or WAV audio";
    const string Video = "an MP4, QuickTime (MOV) or WebM video";
    const int MaxQuotedTypeLength = 100;

    /// <summary>The format to store and serve <paramref name="header"/> as, or why the declared type is refused.</summary>
    public static Result<MediaFormat> Identify(ReadOnlySpan<byte> header, string? declaredType)
    {
        var type = Normalise(declaredType);
        var declared = DeclaredKind(type);
        var container = Sniff(header);
        var format = (container, declared) switch
        {
            (Container.Png, _) => new MediaFormat("image/png", MediaKind.Image),
            (Container.Jpeg, _) => new MediaFormat("image/jpeg", MediaKind.Image),
            (Container.Gif, _) => new MediaFormat("image/gif", MediaKind.Image),
            (Container.WebP, _) => new MediaFormat("image/webp", MediaKind.Image),
            (Container.Ogg, _) => new MediaFormat("audio/ogg", MediaKind.Audio),
            (Container.Mp3, _) => new MediaFormat("audio/mpeg", MediaKind.Audio),
            (Container.Wav, _) => new MediaFormat("audio/wav", MediaKind.Audio),
            (Container.Mp4Audio, MediaKind.Video) => new MediaFormat("video/mp4", MediaKind.Video),
            (Container.Mp4Audio, _) => new MediaFormat("audio/mp4", MediaKind.Audio),
            (Container.Mp4, MediaKind.Audio) => new MediaFormat("audio/mp4", MediaKind.Audio),
            (Container.Mp4, _) => new MediaFormat("video/mp4", MediaKind.Video),
            (Container.QuickTime, _) => new MediaFormat("video/quicktime", MediaKind.Video),
            (Container.WebM, MediaKind.Audio) => new MediaFormat("audio/webm", MediaKind.Audio),
            (Container.WebM, _) => new MediaFormat("video/webm", MediaKind.Video),
            _ => MediaFormat.GenericFile,
        };
        if (declared is MediaKind.File || declared == format.Kind) return Result<MediaFormat>.Success(format);
        var accepted = declared switch { MediaKind.Image => Images, MediaKind.Audio => Audio, _ => Video };
        return DomainError.Invalid($"the file is declared as {type[..Math.Min(type.Length, MaxQuotedTypeLength)]} " +
            $"but its content is not {accepted}; send other files as application/octet-stream");
    }

    /// <summary>The kind a declared content type claims; anything that is not image/, audio/ or video/ claims nothing.</summary>
    static MediaKind DeclaredKind(string type) =>
        type.StartsWith("image/", StringComparison.Ordinal) ? MediaKind.Image
        : type.StartsWith("audio/", StringComparison.Ordinal) ? MediaKind.Audio
        : type.StartsWith("video/", StringComparison.Ordinal) ? MediaKind.Video
        : MediaKind.File;

    static string Normalise(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";

    enum Container { Unknown, Png, Jpeg, Gif, WebP, Ogg, Mp3, Wav, Mp4, Mp4Audio, QuickTime, WebM }

    static Container Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith(PngSignature)) return Container.Png;
        if (b.StartsWith(JpegSignature)) return Container.Jpeg;
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8)) return Container.Gif;
        if (b.Length >= 12 && b.StartsWith("RIFF"u8))
        {
            if (b[8..12].SequenceEqual("WEBP"u8)) return Container.WebP;
            if (b[8..12].SequenceEqual("WAVE"u8)) return Container.Wav;
        }
        if (b.StartsWith("OggS"u8) && (b.IndexOf("OpusHead"u8) > 0 || b.IndexOf("\u0001vorbis"u8) > 0 || b.IndexOf("\u007fFLAC"u8) > 0))
            return Container.Ogg;
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(b[8..12]);
            return brand switch
            {
                "qt  " => Container.QuickTime,
                "M4A " or "M4B " or "M4P " or "F4A " => Container.Mp4Audio,
                // Still images in the same box format (HEIF, AVIF, camera raw) are not video.
                "heic" or "heix" or "hevc" or "hevx" or "heim" or "heis" or "mif1" or "msf1" or "avif" or "avis" or "crx " => Container.Unknown,
                _ => Container.Mp4,
            };
        }
        // EBML (Matroska family); the DocType element within the first bytes says "webm" (plain Matroska is not accepted).
        if (b.StartsWith(EbmlSignature) && b.IndexOf("webm"u8) > 0) return Container.WebM;
        if (b.StartsWith("ID3"u8) || IsMpegAudioFrame(b)) return Container.Mp3;
        return Container.Unknown;
    }

    static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];
    static ReadOnlySpan<byte> EbmlSignature => [0x1A, 0x45, 0xDF, 0xA3];

    /// <summary>An MPEG audio frame header: 11 sync bits, a defined version, layer and bitrate.</summary>
    static bool IsMpegAudioFrame(ReadOnlySpan<byte> b) =>
        b.Length >= 3 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0
        && (b[1] & 0x18) != 0x08  // version 01 is reserved
        && (b[1] & 0x06) != 0x00  // layer 00 is reserved (and marks AAC ADTS)
        && (b[2] & 0xF0) != 0xF0; // bitrate index 1111 is invalid
}
