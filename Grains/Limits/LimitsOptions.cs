using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Limits;

/// <summary>
/// Abuse limits (GoChat:Limits): how much one account may do in a while, and how large one request
/// or real-time message may be. The defaults are far above what a person (or GoChat's own tests)
/// does, so only a runaway client or a spammer meets them.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "GoChat:Limits";
    public const long KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

    /// <summary>Messages one account may send per second on average, in every dialect together.</summary>
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>Messages one account may send at once before <see cref="MessagesPerSecond"/> applies (refilled at that rate).</summary>
    public int MessageBurst { get; set; } = 200;

    /// <summary>Uploads one account may start per hour (all at once, then steadily again).</summary>
    public int UploadsPerHour { get; set; } = 200;

    /// <summary>Bytes one account may upload per day (media and published videos together).</summary>
    public long UploadBytesPerDay { get; set; } = 2 * GiB;

    /// <summary>Groups one account may create per day.</summary>
    public int GroupsPerDay { get; set; } = 50;

    /// <summary>Contacts (friend requests) one account may add per day.</summary>
    public int ContactRequestsPerDay { get; set; } = 200;

    /// <summary>Hub connections and ginchat sockets one account may hold at once, on all WebFronts together (devices, tabs).</summary>
    public int HubConnectionsPerUser { get; set; } = 20;

    /// <summary>The largest message a client may send over the hub or a ginchat socket, in bytes.</summary>
    public int WebSocketMessageBytes { get; set; } = (int)(64 * KiB);

    /// <summary>The largest request body of any route but the uploads (which allow the largest media limit), in bytes.</summary>
    public long RequestBodyBytes { get; set; } = 1 * MiB;
}

internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    /// <summary>Room for the largest message a client may legitimately send: a call's SDP of 30,000 characters, JSON-escaped.</summary>
    const int SmallestWebSocketMessage = (int)(48 * LimitsOptions.KiB);

    /// <summary>Room for the largest JSON body of a route: a new group naming 10,000 members.</summary>
    const long SmallestRequestBody = 64 * LimitsOptions.KiB;

    public ValidateOptionsResult Validate(string? name, LimitsOptions options) => new Settings.Check(LimitsOptions.Section)
        .InRange(options.MessagesPerSecond, 0.001, 1_000_000, nameof(options.MessagesPerSecond))
        .InRange(options.MessageBurst, 1, 1_000_000, nameof(options.MessageBurst))
        .InRange(options.UploadsPerHour, 1, 1_000_000, nameof(options.UploadsPerHour))
        .InRange(options.UploadBytesPerDay, 1, 1L << 50, nameof(options.UploadBytesPerDay))
        .InRange(options.GroupsPerDay, 1, 1_000_000, nameof(options.GroupsPerDay))
        .InRange(options.ContactRequestsPerDay, 1, 1_000_000, nameof(options.ContactRequestsPerDay))
        .InRange(options.HubConnectionsPerUser, 1, 10_000, nameof(options.HubConnectionsPerUser))
        .InRange(options.WebSocketMessageBytes, SmallestWebSocketMessage, (int)(16 * LimitsOptions.MiB), nameof(options.WebSocketMessageBytes))
        .InRange(options.RequestBodyBytes, SmallestRequestBody, LimitsOptions.GiB, nameof(options.RequestBodyBytes))
        .Result;
}
