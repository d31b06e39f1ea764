using GoChat.Grains.Media;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GoChat.WebFront;

/// <summary>
/// The media services: limits per kind from GoChat:Media:MaxBytes:*, files under
/// GoChat:Media:Dir (default {GoChat:DataDir}/media), and the access policy for reads.
/// </summary>
public static class MediaServices
{
    static readonly TimeSpan AbandonedUploadAge = TimeSpan.FromDays(1);

    public static IServiceCollection AddGoChatMedia(this IServiceCollection services, IConfiguration config)
    {
        var defaults = MediaLimits.Default;
        var limits = new MediaLimits(
            Image: Limit(config, "Image", defaults.Image),
            Audio: Limit(config, "Audio", defaults.Audio),
            Video: Limit(config, "Video", defaults.Video),
            File: Limit(config, "File", defaults.File));
        var dir = config["GoChat:Media:Dir"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(config["GoChat:DataDir"] ?? "./data", "media");

        services.AddSingleton(limits);
        services.AddSingleton(new MediaFiles(dir));
        services.AddSingleton<MediaLibrary>();
        // Replaceable: a later registration of IMediaAccessPolicy (e.g. conversation membership) wins.
        services.TryAddSingleton<IMediaAccessPolicy, UploaderOnlyMediaAccess>();
        services.AddHostedService<AbandonedUploadCleanup>();
        return services;
    }

    static long Limit(IConfiguration config, string kind, long fallback)
    {
        var key = $"GoChat:Media:MaxBytes:{kind}";
        var value = config.GetValue(key, fallback);
        return value > 0 ? value : throw new InvalidOperationException($"{key} must be a positive number of bytes, not {value}");
    }

    /// <summary>Deletes the temporary files of uploads a crash interrupted, once at start-up.</summary>
    sealed class AbandonedUploadCleanup(MediaFiles files, ILogger<AbandonedUploadCleanup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var deleted = files.DeleteAbandonedUploads(AbandonedUploadAge);
            if (deleted > 0) logger.LogInformation("Deleted {Count} abandoned uploads from {MediaDir}", deleted, files.Root);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
