namespace GoChat.Grains.Media;

/// <summary>What an upload is, decided from its bytes: it sets the size limit and how the content is served.</summary>
[GenerateSerializer]
public enum MediaKind
{
    Image = 1,
    Audio = 2,
    Video = 3,
    /// <summary>Anything else: always served as application/octet-stream, as an attachment.</summary>
    File = 4,
}

/// <summary>One uploaded piece of media. <see cref="Sha256"/> (lower-case hex) names its content file.</summary>
[GenerateSerializer, Immutable]
public sealed record MediaInfo(
    long Id,
    long UploaderId,
    string Sha256,
    string ContentType,
    MediaKind Kind,
    long Size,
    string Name,
    DateTime CreatedAt);
