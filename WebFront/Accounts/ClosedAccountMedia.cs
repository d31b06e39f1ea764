using GoChat.Grains.Media;

namespace GoChat.WebFront.Accounts;

/// <summary>
/// At start-up, in the background: erases the uploads deleted accounts left behind because erasing
/// them failed when the account was deleted (<see cref="AccountService.Close"/>). Usually none.
/// </summary>
internal sealed class ClosedAccountMedia(MediaStore store, MediaLibrary media, ILogger<ClosedAccountMedia> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var uploaders = await store.ClosedUploaders(stoppingToken);
            foreach (var uploader in uploaders) await media.EraseUnshared(uploader, stoppingToken);
            if (uploaders.Count > 0) SignInLog.ClosedAccountMediaErased(logger, uploaders.Count);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            SignInLog.ClosedAccountMediaFailed(logger, e);
        }
    }
}
