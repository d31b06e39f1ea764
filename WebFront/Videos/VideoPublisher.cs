using System.Diagnostics;
using GoChat.Grains;
using GoChat.Grains.Limits;
using GoChat.Grains.Media;
using GoChat.Grains.Users;
using GoChat.Grains.Videos;

namespace GoChat.WebFront.Videos;

/// <summary>
/// Publishing a video: the upload must really be a video (ffprobe finds a video stream, and the
/// bytes are a format players take: MP4, QuickTime or WebM), a cover frame is cut from it with
/// ffmpeg, and both are stored as media before the video is recorded. Nothing is recorded when a
/// step fails. The upload counts against the author's allowance before any tool runs on it.
/// </summary>
internal sealed class VideoPublisher(MediaLibrary media, UploadAllowance allowance, IGrainFactory grains, ILogger<VideoPublisher> logger)
{
    public const int MaxTitleLength = 100;
    static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    public long MaxBytes => media.Limits.Video;

    public async Task<Result<long>> Publish(long authorId, Stream content, string? fileName, string? title, CancellationToken ct)
    {
        title = title?.Trim() ?? "";
        if (title.Length == 0) return DomainError.Invalid("title is required");
        if (title.Length > MaxTitleLength) return DomainError.Invalid($"title must be at most {MaxTitleLength} characters");
        if (FreeText.CheckText("title", title) is { } textError) return textError;

        var work = Directory.CreateTempSubdirectory("gochat-publish-");
        try
        {
            var videoPath = Path.Combine(work.FullName, "upload");
            long length;
            await using (var file = File.Create(videoPath))
            {
                await content.CopyToAsync(file, ct);
                length = file.Length;
            }
            if (length == 0) return DomainError.Invalid("the video file is empty");
            if (length > MaxBytes) return new DomainError(ErrorKind.TooLarge, $"the video is larger than the {MediaLimits.Describe(MaxBytes)} allowed");
            var reserved = await allowance.Reserve(authorId, length);
            if (reserved.Value is not { } reservation) return reserved.Error!;
            var published = false;
            try
            {
                if (reservation.Bytes < length) return reservation.RefusalFor(length);
                var result = await ProbeAndStore(authorId, videoPath, work.FullName, fileName, title, ct);
                published = result.Ok;
                return result;
            }
            finally
            {
                await reservation.Settle(published ? length : 0);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    async Task<Result<long>> ProbeAndStore(long authorId, string videoPath, string workDir, string? fileName, string title, CancellationToken ct)
    {
        // The tools' output stays in the Debug log: it names memory addresses and internals, not what the client should fix.
        var (probeExit, streams) = await Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_type", "-of", "csv=p=0", videoPath], ct);
        if (probeExit != 0 || !streams.Contains("video", StringComparison.Ordinal))
        {
            PublishingLog.ProbeFailed(logger, authorId, probeExit, streams);
            return DomainError.Invalid("the file is not a video");
        }

        var coverPath = Path.Combine(workDir, "cover.jpg");
        var (coverExit, coverOutput) = await Run("ffmpeg", ["-v", "error", "-y", "-i", videoPath, "-frames:v", "1", "-q:v", "4", "-f", "image2", coverPath], ct);
        if (coverExit != 0 || !File.Exists(coverPath))
        {
            PublishingLog.CoverFailed(logger, authorId, coverExit, coverOutput);
            return DomainError.Invalid("the video could not be read: no frame of it could be decoded (is the file complete?)");
        }

        Result<MediaInfo> stored;
        await using (var file = File.OpenRead(videoPath)) stored = await media.StoreCounted(authorId, file, "video/mp4", fileName, ct);
        if (stored.Value is not { Kind: MediaKind.Video } video)
            return stored.Error ?? DomainError.Invalid("the video must be MP4, QuickTime or WebM");
        Result<MediaInfo> cover;
        await using (var file = File.OpenRead(coverPath)) cover = await media.StoreCounted(authorId, file, "image/jpeg", "cover.jpg", ct);
        if (cover.Value is not { } coverInfo) return cover.Error!;

        // Writes go through grains: the author's grain stores the video and counts the work.
        var published = await grains.GetGrain<IUserGrain>(authorId).PublishVideo(title, video.Id, coverInfo.Id);
        if (published.Value is { } videoId) PublishingLog.Published(logger, authorId, videoId, video.Size);
        return published;
    }

    static async Task<(int ExitCode, string Output)> Run(string tool, string[] args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{tool} is not installed; publishing videos needs ffmpeg (Debian/Ubuntu: apt-get install -y ffmpeg)");
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ToolTimeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{tool} took longer than {ToolTimeout.TotalSeconds:0} s");
            }
            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }
}
