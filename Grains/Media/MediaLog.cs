using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Media;

/// <summary>Media's log events (ids 4000-4099). 4002 means a node does not see the shared media directory.</summary>
internal static partial class MediaLog
{
    [LoggerMessage(EventId = 4001, EventName = "MediaUploaded", Level = LogLevel.Information, Message = "User {UserId} uploaded media {MediaId} ({ContentType}, {Size} bytes)")]
    public static partial void Uploaded(ILogger logger, long userId, long mediaId, string contentType, long size);

    [LoggerMessage(EventId = 4003, EventName = "MediaErased", Level = LogLevel.Information, Message = "Erased {Count} uploads of deleted account {UserId} that no conversation shows")]
    public static partial void Erased(ILogger logger, long userId, int count);

    [LoggerMessage(EventId = 4002, EventName = "MediaFileMissing", Level = LogLevel.Error, Message = "The content file of media {MediaId} is missing: {Path}")]
    public static partial void FileMissing(ILogger logger, long mediaId, string path);
}
