using GoChat.Grains.Limits;
using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Media;

/// <summary>A piece of media and the file holding its bytes.</summary>
public sealed record StoredMedia(MediaInfo Info, string Path);

/// <summary>
/// Uploading and reading media, as every API needs it: the bytes decide the kind (and so the
/// size limit and how the content is served), the client's file name is only kept as metadata,
/// and reads go through <see cref="IMediaAccessPolicy"/>. Media a user may not read is reported
/// as not found, so ids reveal nothing about other people's uploads. Uploads count against the
/// uploader's allowance (<see cref="UploadAllowance"/>: uploads per hour, bytes per day).
/// </summary>
public sealed class MediaLibrary(
    MediaStore store, MediaFiles files, MediaLimits limits, IMediaAccessPolicy access, UploadAllowance allowance, ILogger<MediaLibrary> logger)
{
    public MediaLimits Limits => limits;

    /// <summary>Stores an upload read from <paramref name="content"/>; nothing is kept when it is refused.</summary>
    public async Task<Result<MediaInfo>> Upload(long uploaderId, Stream content, string? declaredType, string? fileName, CancellationToken ct = default)
    {
        var sniffed = await Sniff(content, declaredType, ct);
        if (sniffed.Value is not { } upload) return sniffed.Error!;
        var (header, format) = upload;

        // Counted once its kind (so its largest size) is known; what it does not use is given back.
        var maxBytes = limits.For(format.Kind);
        var reserved = await allowance.Reserve(uploaderId, maxBytes);
        if (reserved.Value is not { } reservation) return reserved.Error!;
        long stored = 0;
        try
        {
            var kept = await Keep(uploaderId, header, content, format, Math.Min(maxBytes, reservation.Bytes), fileName, ct);
            if (kept.Value is { } media) stored = media.Size;
            else if (kept.Error is { Kind: ErrorKind.TooLarge } && reservation.Bytes < maxBytes) return reservation.RefusalFor(maxBytes);
            return kept;
        }
        finally
        {
            await reservation.Settle(stored);
        }
    }

    /// <summary>
    /// Stores media its caller has counted against the uploader's allowance already (a published
    /// video, and the cover cut from it); nothing is kept when it is refused.
    /// </summary>
    public async Task<Result<MediaInfo>> StoreCounted(long uploaderId, Stream content, string? declaredType, string? fileName, CancellationToken ct = default)
    {
        var sniffed = await Sniff(content, declaredType, ct);
        if (sniffed.Value is not { } upload) return sniffed.Error!;
        var (header, format) = upload;
        return await Keep(uploaderId, header, content, format, limits.For(format.Kind), fileName, ct);
    }

    /// <summary>The upload's first bytes and the format they show it is.</summary>
    sealed record Sniffed(ReadOnlyMemory<byte> Header, MediaFormat Format);

    static async Task<Result<Sniffed>> Sniff(Stream content, string? declaredType, CancellationToken ct)
    {
        var header = new byte[MediaFormats.HeaderLength];
        var headerLength = await content.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        if (headerLength == 0) return DomainError.Invalid("the file is empty");
        var identified = MediaFormats.Identify(header.AsSpan(0, headerLength), declaredType);
        if (identified.Value is not { } format) return identified.Error!;
        return Result<Sniffed>.Success(new Sniffed(header.AsMemory(0, headerLength), format));
    }

    async Task<Result<MediaInfo>> Keep(
        long uploaderId, ReadOnlyMemory<byte> header, Stream content, MediaFormat format, long maxBytes, string? fileName, CancellationToken ct)
    {
        if (await files.Store(header, content, maxBytes, ct) is not { } file)
            return new DomainError(ErrorKind.TooLarge,
                $"the file is larger than the {MediaLimits.Describe(maxBytes)} allowed for {KindPlural(format.Kind)}");

        var media = await store.Insert(uploaderId, file, format, MediaNames.Clean(fileName), c => files.Holds(file.Sha256, c), ct);
        if (media is null) return DomainError.Conflict("the upload crossed the deletion of an identical file; send it again");
        MediaLog.Uploaded(logger, uploaderId, media.Id, media.ContentType, media.Size);
        return Result<MediaInfo>.Success(media);
    }

    /// <summary>
    /// Erases what a deleted account uploaded and no conversation shows (nor a published video):
    /// the rows, and each content no other upload shares (file and database copy). Returns how many
    /// uploads were erased. Can run again: what is left is erased then.
    /// </summary>
    public async Task<int> EraseUnshared(long uploaderId, CancellationToken ct = default)
    {
        var contents = await store.DeleteUnshared(uploaderId, ct);
        foreach (var sha256 in contents) await store.ReleaseContent(sha256, () => files.Delete(sha256), ct);
        if (contents.Count > 0) MediaLog.Erased(logger, uploaderId, contents.Count);
        return contents.Count;
    }

    /// <summary>The media, if it exists and <paramref name="userId"/> may read it.</summary>
    public async Task<Result<MediaInfo>> Find(long userId, long mediaId, CancellationToken ct = default)
    {
        var media = await store.Get(mediaId, ct);
        if (media is null || media.UploaderId != userId && !await access.CanRead(userId, media, ct))
            return DomainError.NotFound($"no media {mediaId}");
        return Result<MediaInfo>.Success(media);
    }

    /// <summary>The media and its content file, if it exists and <paramref name="userId"/> may read it.</summary>
    public async Task<Result<StoredMedia>> OpenForRead(long userId, long mediaId, CancellationToken ct = default)
    {
        var found = await Find(userId, mediaId, ct);
        if (found.Value is not { } media) return found.Error!;
        if (await files.Locate(media.Sha256, ct) is not { } path)
        {
            // A lost file or a media directory not shared by every WebFront; the row alone cannot be served.
            MediaLog.FileMissing(logger, mediaId, files.PathOf(media.Sha256));
            return DomainError.NotFound($"the content of media {mediaId} is not available");
        }
        return Result<StoredMedia>.Success(new StoredMedia(media, path));
    }

    static string KindPlural(MediaKind kind) => kind switch
    {
        MediaKind.Image => "images",
        MediaKind.Audio => "audio",
        MediaKind.Video => "videos",
        _ => "files",
    };
}
