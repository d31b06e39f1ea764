using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Media;

/// <summary>Settings of uploaded media (GoChat:Media).</summary>
public sealed class MediaOptions
{
    public const string Section = "GoChat:Media";

    /// <summary>Where media files are kept; empty means {GoChat:DataDir}/media.</summary>
    public string? Dir { get; set; }

    /// <summary>
    /// Where the bytes are kept: "directory" (Dir only; every WebFront of a cluster must share it) or
    /// "database" (PostgreSQL holds every upload, Dir is each node's cache of what it served).
    /// </summary>
    public string Storage { get; set; } = DirectoryStorage;

    public const string DirectoryStorage = "directory";
    public const string DatabaseStorage = "database";

    public bool InDatabase => string.Equals(Storage, DatabaseStorage, StringComparison.OrdinalIgnoreCase);

    /// <summary>The largest upload of each kind, in bytes.</summary>
    public MaxBytesOptions MaxBytes { get; set; } = new();

    public sealed class MaxBytesOptions
    {
        public long Image { get; set; } = MediaLimits.Default.Image;
        public long Audio { get; set; } = MediaLimits.Default.Audio;
        public long Video { get; set; } = MediaLimits.Default.Video;
        public long File { get; set; } = MediaLimits.Default.File;
    }

    public MediaLimits Limits => new(MaxBytes.Image, MaxBytes.Audio, MaxBytes.Video, MaxBytes.File);
}

internal sealed class MediaOptionsValidator : IValidateOptions<MediaOptions>
{
    /// <summary>One upload is kept in one file and read into checks whole in places: 4 GiB is far beyond any chat use.</summary>
    const long Largest = 4L * 1024 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, MediaOptions options) => new Settings.Check(MediaOptions.Section)
        .InRange(options.MaxBytes.Image, 1, Largest, "MaxBytes:Image")
        .InRange(options.MaxBytes.Audio, 1, Largest, "MaxBytes:Audio")
        .InRange(options.MaxBytes.Video, 1, Largest, "MaxBytes:Video")
        .InRange(options.MaxBytes.File, 1, Largest, "MaxBytes:File")
        .Require(options.InDatabase || string.Equals(options.Storage, MediaOptions.DirectoryStorage, StringComparison.OrdinalIgnoreCase),
            nameof(options.Storage), $"must be directory or database (it is '{options.Storage}')")
        .Require(options.Dir is null || options.Dir.IndexOfAny(Path.GetInvalidPathChars()) < 0, nameof(options.Dir), "is not a valid path")
        .Result;
}
