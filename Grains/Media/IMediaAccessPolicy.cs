namespace GoChat.Grains.Media;

/// <summary>
/// Who may read a piece of media besides the server. Replace the registration to widen access
/// (for example to the members of conversations the media was sent in); the uploader is always
/// allowed before the policy is asked.
/// </summary>
public interface IMediaAccessPolicy
{
    Task<bool> CanRead(long userId, MediaInfo media, CancellationToken ct = default);
}

/// <summary>The default policy: nobody but the uploader (whom <see cref="MediaLibrary"/> allows without asking).</summary>
public sealed class UploaderOnlyMediaAccess : IMediaAccessPolicy
{
    public Task<bool> CanRead(long userId, MediaInfo media, CancellationToken ct = default) =>
        Task.FromResult(media.UploaderId == userId);
}
