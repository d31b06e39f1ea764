using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Security;

/// <summary>
/// One WebFront with small abuse limits, shared by the tests of a class. Each test uses accounts of
/// its own: what one account spends never touches another's allowance (which the tests also show).
/// </summary>
public sealed class LimitedHost : IAsyncLifetime
{
    public const int MessageBurst = 3;
    public const int UploadsPerHour = 2;
    public const int UploadBytesPerDay = 100_000;
    public const int PerDay = 2;
    public const int ConnectionsPerUser = 2;
    public const int WebSocketMessageBytes = 48 * 1024;
    public const int RequestBodyBytes = 64 * 1024;

    public static readonly string[] Settings =
    [
        // One message every 100 s after the burst: none come back while a test runs.
        "--GoChat:Limits:MessagesPerSecond=0.01",
        $"--GoChat:Limits:MessageBurst={MessageBurst}",
        $"--GoChat:Limits:UploadsPerHour={UploadsPerHour}",
        $"--GoChat:Limits:UploadBytesPerDay={UploadBytesPerDay}",
        $"--GoChat:Limits:GroupsPerDay={PerDay}",
        $"--GoChat:Limits:ContactRequestsPerDay={PerDay}",
        $"--GoChat:Limits:HubConnectionsPerUser={ConnectionsPerUser}",
        $"--GoChat:Limits:WebSocketMessageBytes={WebSocketMessageBytes}",
        $"--GoChat:Limits:RequestBodyBytes={RequestBodyBytes}",
    ];

    public GoChatHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GoChatHost.StartAsync(settings: Settings);
    public async Task DisposeAsync() => await Host.DisposeAsync();
}
