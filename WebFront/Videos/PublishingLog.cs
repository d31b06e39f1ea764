namespace GoChat.WebFront.Videos;

/// <summary>Video publishing's log events (ids 5050-5099; the videos' grains use 5000-5049). Tool output stays at Debug.</summary>
internal static partial class PublishingLog
{
    [LoggerMessage(EventId = 5050, EventName = "VideoPublished", Level = LogLevel.Information, Message = "User {UserId} published video {VideoId} ({Size} bytes)")]
    public static partial void Published(ILogger logger, long userId, long videoId, long size);

    [LoggerMessage(EventId = 5051, EventName = "VideoProbeFailed", Level = LogLevel.Debug, Message = "ffprobe found no video stream in an upload of user {UserId} (exit {ExitCode}): {Output}")]
    public static partial void ProbeFailed(ILogger logger, long userId, int exitCode, string output);

    [LoggerMessage(EventId = 5052, EventName = "VideoCoverFailed", Level = LogLevel.Debug, Message = "ffmpeg could not cut a cover from an upload of user {UserId} (exit {ExitCode}): {Output}")]
    public static partial void CoverFailed(ILogger logger, long userId, int exitCode, string output);
}
