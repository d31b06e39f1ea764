using GoChat.Grains.Media;
using GoChat.Silo.Database;
using GoChat.WebFront.Operations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Media;

/// <summary>
/// The media services: limits per kind and the files' directory from <see cref="MediaOptions"/>
/// (default {GoChat:DataDir}/media), and the access policy for reads.
/// </summary>
internal static class MediaServices
{
    static readonly TimeSpan AbandonedUploadAge = TimeSpan.FromDays(1);

    public static IServiceCollection AddGoChatMedia(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MediaOptions>>().Value.Limits);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MediaOptions>>().Value;
            var dir = string.IsNullOrEmpty(options.Dir) ? Path.Combine(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.DataDir, "media") : options.Dir;
            return new MediaFiles(dir, options.InDatabase ? new MediaContentTable(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()) : null);
        });
        services.AddSingleton<MediaLibrary>();
        // Replaceable: a later registration of IMediaAccessPolicy (e.g. conversation membership) wins.
        services.TryAddSingleton<IMediaAccessPolicy, UploaderOnlyMediaAccess>();
        services.AddHostedService<AbandonedUploadCleanup>();
        return services;
    }

    /// <summary>Deletes the temporary files of uploads a crash interrupted, once at start-up.</summary>
    sealed class AbandonedUploadCleanup(MediaFiles files, ILogger<AbandonedUploadCleanup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var deleted = files.DeleteAbandonedUploads(AbandonedUploadAge);
            if (deleted > 0) OperationsLog.AbandonedUploadsDeleted(logger, deleted, files.Root);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
