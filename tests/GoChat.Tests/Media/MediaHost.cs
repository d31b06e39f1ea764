using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Media;

/// <summary>One host with small media limits, shared by the tests of a class (which run one at a time).</summary>
public class MediaHost : IAsyncLifetime
{
    public const int ImageLimit = 100_000;
    public const int FileLimit = 300_000;

    public string DataDir { get; } = TestDatabase.NewTempDirectory("gochat-media");
    public string MediaDir => Path.Combine(DataDir, "media");
    public GoChatHost Host { get; private set; } = null!;

    protected virtual string[] Limits =>
    [
        $"--GoChat:Media:MaxBytes:Image={ImageLimit}",
        "--GoChat:Media:MaxBytes:Audio=100000",
        "--GoChat:Media:MaxBytes:Video=200000",
        $"--GoChat:Media:MaxBytes:File={FileLimit}",
    ];

    public async Task InitializeAsync() =>
        Host = await GoChatHost.StartAsync(settings: [$"--GoChat:DataDir={DataDir}", .. Limits]);

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Every file under the media directory, temporary ones included.</summary>
    public List<string> FilesOnDisk() =>
        Directory.Exists(MediaDir) ? Directory.GetFiles(MediaDir, "*", SearchOption.AllDirectories).Order().ToList() : [];
}
