using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Calls;

/// <summary>Settings of voice and video calls (GoChat:Calls); docs/calls.md says how to set up TURN beside GoChat.</summary>
public sealed class CallOptions
{
    public const string Section = "GoChat:Calls";

    /// <summary>How long a call rings before it ends as missed; the server ends it even if every client has gone.</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a participant whose connection dropped keeps their place before the call ends for them.</summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Most people in one call: media is a full mesh, so each sends its video to every other.</summary>
    public int MaxMeshParticipants { get; set; } = 4;

    /// <summary>STUN servers given to clients ("stun:host:port"). Empty by default: no client traffic to third parties.</summary>
    public List<string> StunUrls { get; set; } = [];

    /// <summary>TURN servers given to clients ("turn:host:3478?transport=udp", "turns:host:5349").</summary>
    public List<string> TurnUrls { get; set; } = [];

    /// <summary>The secret shared with the TURN server (coturn's static-auth-secret); required with TurnUrls. Never logged.</summary>
    public string? TurnSecret { get; set; }

    /// <summary>How long a TURN credential handed to a client stays valid (clients ask again on each call and ICE restart).</summary>
    public TimeSpan CredentialTtl { get; set; } = TimeSpan.FromHours(12);
}

internal sealed class CallOptionsValidator : IValidateOptions<CallOptions>
{
    const int MinSecretLength = 16;

    public ValidateOptionsResult Validate(string? name, CallOptions options)
    {
        var check = new Settings.Check(CallOptions.Section)
            .InRange(options.RingTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(options.RingTimeout))
            .InRange(options.ReconnectGrace, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(options.ReconnectGrace))
            .InRange(options.MaxMeshParticipants, 2, 8, nameof(options.MaxMeshParticipants))
            .InRange(options.CredentialTtl, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), nameof(options.CredentialTtl));
        for (var i = 0; i < options.StunUrls.Count; i++)
            check.Require(HasScheme(options.StunUrls[i], "stun:", "stuns:"), $"StunUrls:{i}", $"must be a stun: or stuns: URL (it is '{options.StunUrls[i]}')");
        for (var i = 0; i < options.TurnUrls.Count; i++)
            check.Require(HasScheme(options.TurnUrls[i], "turn:", "turns:"), $"TurnUrls:{i}", $"must be a turn: or turns: URL (it is '{options.TurnUrls[i]}')");
        // The secret's value is never echoed: only whether it is there and long enough.
        check.Require(options.TurnUrls.Count == 0 || (options.TurnSecret?.Length ?? 0) >= MinSecretLength, nameof(options.TurnSecret),
            $"must be set to the TURN server's shared secret, at least {MinSecretLength} characters, when TurnUrls are given");
        return check.Result;
    }

    static bool HasScheme(string? url, params string[] schemes) =>
        !string.IsNullOrWhiteSpace(url) && url.Length <= 512 && !url.Any(char.IsWhiteSpace)
        && schemes.Any(s => url.StartsWith(s, StringComparison.OrdinalIgnoreCase) && url.Length > s.Length);
}
