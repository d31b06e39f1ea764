using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Videos;

/// <summary>Videos' log events (ids 5000-5099; the WebFront's publishing uses 5050-5099).</summary>
internal static partial class VideoLog
{
    [LoggerMessage(EventId = 5001, EventName = "VideoAuthorUnreachable", Level = LogLevel.Warning, Message = "Could not reach the author {UserId} of video {VideoId}")]
    public static partial void AuthorUnreachable(ILogger logger, Exception exception, long userId, long videoId);
}
