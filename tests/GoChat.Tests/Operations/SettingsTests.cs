using System.Diagnostics;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront;
using Microsoft.Extensions.Options;

namespace GoChat.Tests.Operations;

/// <summary>
/// A wrong setting stops start-up with a message naming the setting and what it may be: one case
/// per validator (and per cross-setting rule), through the real start-up path.
/// </summary>
public sealed class SettingsTests
{
    public static TheoryData<string, string> WrongSettings => new()
    {
        { "--GoChat:Messages:EditWindow=-00:01:00", "GoChat:Messages:EditWindow must be between" },
        { "--GoChat:Groups:MaxMembers=1", "GoChat:Groups:MaxMembers must be between 2 and 100000 (it is 1)" },
        { "--GoChat:Media:MaxBytes:Image=0", "GoChat:Media:MaxBytes:Image must be between 1 and" },
        { "--GoChat:Jwt:SigningKey=too-short", "GoChat:Jwt:SigningKey must be at least 32 bytes long" },
        { "--GoChat:Jwt:LifetimeDays=0", "GoChat:Jwt:LifetimeDays must be between 1 and 3650 (it is 0)" },
        { "--GoChat:Security:SignInPermitsPerMinute=0", "GoChat:Security:SignInPermitsPerMinute must be between 1 and 1000000" },
        { "--GoChat:Limits:MessagesPerSecond=0", "GoChat:Limits:MessagesPerSecond must be between 0.001 and 1000000 (it is 0)" },
        { "--GoChat:Limits:MessageBurst=0", "GoChat:Limits:MessageBurst must be between 1 and 1000000 (it is 0)" },
        { "--GoChat:Limits:UploadsPerHour=-1", "GoChat:Limits:UploadsPerHour must be between 1 and 1000000 (it is -1)" },
        { "--GoChat:Limits:UploadBytesPerDay=0", "GoChat:Limits:UploadBytesPerDay must be between 1 and" },
        { "--GoChat:Limits:GroupsPerDay=0", "GoChat:Limits:GroupsPerDay must be between 1 and 1000000 (it is 0)" },
        { "--GoChat:Limits:ContactRequestsPerDay=0", "GoChat:Limits:ContactRequestsPerDay must be between 1 and 1000000 (it is 0)" },
        { "--GoChat:Limits:HubConnectionsPerUser=0", "GoChat:Limits:HubConnectionsPerUser must be between 1 and 10000 (it is 0)" },
        { "--GoChat:Limits:WebSocketMessageBytes=1024", "GoChat:Limits:WebSocketMessageBytes must be between 49152 and 16777216 (it is 1024)" },
        { "--GoChat:Limits:RequestBodyBytes=1000", "GoChat:Limits:RequestBodyBytes must be between 65536 and 1073741824 (it is 1000)" },
        { "--GoChat:ForwardedHeaders:KnownProxies=proxy.internal", "GoChat:ForwardedHeaders:KnownProxies must be IP addresses separated by commas, such as 10.0.0.5, 10.0.0.6 ('proxy.internal' is not one)" },
        { "--GoChat:ForwardedHeaders:KnownNetworks=10.0.0.0/8, 10.1.2.3/40", "GoChat:ForwardedHeaders:KnownNetworks must be CIDR networks separated by commas, such as 10.0.0.0/8, fd00::/8 ('10.1.2.3/40' is not one)" },
        { "--GoChat:Cors:Origins=https://chat.example.com/app", "GoChat:Cors:Origins must be origins separated by commas, each scheme://host[:port] with no path, such as https://chat.example.com ('https://chat.example.com/app' is not one)" },
        { "--GoChat:Delivery:ReattachPeriod=00:10:00", "GoChat:Delivery:ReattachPeriod must be at most half the grain collection age (00:07:30" },
        { "--GoChat:PublicBaseUrl=chat.example.com", "GoChat:PublicBaseUrl must be an absolute http(s) URL" },
        { "--GoChat:Silo:Port=70000", "GoChat:Silo:Port must be between 0 and 65535 (it is 70000)" },
        { "--GoChat:Silo:AdvertisedIP=not-an-address", "GoChat:Silo:AdvertisedIP must be an IP address" },
        { "--GoChat:Silo:Name=web 1", "GoChat:Silo:Name must be 1 to 64 letters, digits, '.', '-' or '_' (it is 'web 1')" },
        { "--GoChat:Silo:Port=abc", "GoChat:Silo:Port" },
        { "--GoChat:Membership:ProbeTimeout=00:00:00.050", "GoChat:Membership:ProbeTimeout must be between 00:00:00.2000000 and 00:01:00 (it is 00:00:00.0500000)" },
        { "--GoChat:Membership:NumMissedProbesLimit=1", "GoChat:Membership:NumMissedProbesLimit must be between 2 and 10 (it is 1)" },
        { "--GoChat:Membership:NumVotesForDeathDeclaration=11", "GoChat:Membership:NumVotesForDeathDeclaration must be between 1 and 10 (it is 11)" },
        { "--GoChat:Membership:ProbeTimeout=00:00:20", "GoChat:Membership:TableRefreshTimeout must be at least GoChat:Membership:ProbeTimeout (00:00:20; it is 00:00:10)" },
        { "--GoChat:Membership:DeathVoteExpirationTimeout=00:00:10", "GoChat:Membership:DeathVoteExpirationTimeout must be longer than 4 × ProbeTimeout × NumMissedProbesLimit (00:00:12; it is 00:00:10)" },
        { "--GoChat:EmbeddedPostgresPort=-5", "GoChat:EmbeddedPostgresPort must be between 0 and 65535 (it is -5)" },
        { "--GoChat:Calls:RingTimeout=00:00:00", "GoChat:Calls:RingTimeout must be between 00:00:01 and 00:10:00 (it is 00:00:00)" },
        { "--GoChat:Calls:ReconnectGrace=01:00:00", "GoChat:Calls:ReconnectGrace must be between 00:00:01 and 00:10:00" },
        { "--GoChat:Calls:MaxMeshParticipants=1", "GoChat:Calls:MaxMeshParticipants must be between 2 and 8 (it is 1)" },
        { "--GoChat:Calls:CredentialTtl=00:00:10", "GoChat:Calls:CredentialTtl must be between 00:01:00 and 7.00:00:00" },
        { "--GoChat:Calls:TurnUrls:0=turn:127.0.0.1:3478", "GoChat:Calls:TurnSecret must be set to the TURN server's shared secret" },
        { "--GoChat:Calls:TurnUrls:0=http://turn.example.com", "GoChat:Calls:TurnUrls:0 must be a turn: or turns: URL" },
        { "--GoChat:Calls:StunUrls:0=turn:127.0.0.1", "GoChat:Calls:StunUrls:0 must be a stun: or stuns: URL" },
        { "--GoChat:Media:Storage=s3", "GoChat:Media:Storage must be directory or database (it is 's3')" },
        { "--GoChat:Telemetry:OtlpEndpoint=collector:4317", "GoChat:Telemetry:OtlpEndpoint must be an absolute http(s) URL" },
        { "--GoChat:Telemetry:MetricsAllowedFrom=127.0.0.1, intranet", "GoChat:Telemetry:MetricsAllowedFrom must be addresses or CIDR networks separated by commas, such as 127.0.0.0/8, 10.0.0.0/8 ('intranet' is neither)" },
        { "--GoChat:Telemetry:ConsoleLogFormat=xml", "GoChat:Telemetry:ConsoleLogFormat must be one of simple, json, systemd (it is 'xml')" },
        { "--GoChat:Bots:grok:Provider=opnai", "GoChat:Bots:grok:Provider must be 'openai' (any OpenAI-compatible endpoint) or 'llamasharp' (a local GGUF file) (it is 'opnai')" },
        { "--GoChat:Bots:grok:Provider=openai", "GoChat:Bots:grok:Endpoint must be an absolute http(s) URL such as https://api.x.ai/v1 (it is '')" },
        { "--GoChat:Bots:ollie:MaxContextMessages=0", "GoChat:Bots:ollie:MaxContextMessages must be between 1 and 200 (it is 0)" },
        { "--GoChat:Bots:local:Provider=llamasharp", "GoChat:Bots:local:ModelPath is required for a llamasharp bot" },
        { "--GoChat:Bots:bad@name:Provider=llamasharp", "GoChat:Bots:bad@name is not a usable username" },
        { "--GoChat:Admins=alice, bad name", "GoChat:Admins must be usernames (1-32 characters, no spaces or / \\ @ : %); 'bad name' is not one" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task Start_up_with_a_wrong_setting_stops_and_names_it(string setting, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await GoChatHost.StartAsync(await SharedDatabase.Value, setting);
        });
        Assert.Contains(expected, string.Join("; ", error.Failures));
    }

    [Fact]
    public async Task A_silo_advertised_to_other_machines_without_a_connection_string_refuses_to_start_before_creating_a_database()
    {
        var dataDir = TestDatabase.NewTempDirectory("gochat-settings");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[] { typeof(WebFrontApp).Assembly.Location, $"--urls=http://127.0.0.1:{GoChatProcess.FreePort()}", $"--GoChat:DataDir={dataDir}", "--GoChat:Silo:AdvertisedIP=10.20.30.40" })
            start.ArgumentList.Add(arg);
        start.Environment.Remove("ConnectionStrings__GoChat");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "GoChat did not stop on the wrong setting");
        Assert.Equal(2, process.ExitCode);
        var message = await stderr;
        Assert.Contains("GoChat cannot start: GoChat:Silo:AdvertisedIP is 10.20.30.40", message);
        Assert.Contains("ConnectionStrings:GoChat is not set", message);
        Assert.DoesNotContain("   at ", message + await stdout); // no stack trace
        Assert.False(Directory.Exists(Path.Combine(dataDir, "postgres")), "a private database was created before the setting was checked");
    }

    static readonly Lazy<Task<string>> SharedDatabase = new(() => TestDatabase.CreateAsync());
}
