using System.Globalization;

namespace GoChat.Grains.Media;

/// <summary>The largest upload accepted for each kind of media, in bytes.</summary>
public sealed record MediaLimits(long Image, long Audio, long Video, long File)
{
    public const long MiB = 1024 * 1024;

    public static MediaLimits Default { get; } = new(Image: 10 * MiB, Audio: 10 * MiB, Video: 100 * MiB, File: 25 * MiB);

    public long For(MediaKind kind) => kind switch
    {
        MediaKind.Image => Image,
        MediaKind.Audio => Audio,
        MediaKind.Video => Video,
        _ => File,
    };

    /// <summary>The limit of the most generous kind: no upload of any kind can be larger.</summary>
    public long Largest => Math.Max(Math.Max(Image, Audio), Math.Max(Video, File));

    /// <summary>A size as people read it: "10 MiB", or the exact number of bytes when it is not whole mebibytes.</summary>
    public static string Describe(long bytes) => bytes % MiB == 0
        ? (bytes / MiB).ToString(CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}
