namespace GoChat.Grains.Videos;

[GenerateSerializer, Immutable]
public sealed record VideoCounters(long Favorites, long Comments);

[GenerateSerializer, Immutable]
public sealed record VideoComment(long Id, long VideoId, long UserId, string Content, DateTime CreatedAt);

/// <summary>One published video's likes and comments. Key: the video id.</summary>
public interface IVideoGrain : IGrainWithIntegerKey
{
    /// <summary>The counters, or null when there is no such video.</summary>
    Task<VideoCounters?> GetCounters();

    /// <summary>Likes the video; liking twice counts once. Answered after the like is committed.</summary>
    Task<DomainError?> Favorite(long userId);

    /// <summary>Takes a like back; unliking what was not liked is a no-op.</summary>
    Task<DomainError?> Unfavorite(long userId);

    Task<Result<VideoComment>> Comment(long userId, string? text);

    /// <summary>Deletes a comment: its author or the video's author may.</summary>
    Task<DomainError?> DeleteComment(long callerId, long commentId);
}
