namespace GoChat.Grains.Calls;

/// <summary>What a call carries: "audio" or "video" (the wire names).</summary>
public static class CallMedia
{
    public const string Audio = "audio";
    public const string Video = "video";

    public static bool IsValid(string? media) => media is Audio or Video;
}

/// <summary>A call's state (wire names): ringing until someone answers, accepted while it runs, ended with an outcome.</summary>
public static class CallStates
{
    public const string Ringing = "ringing";
    public const string Accepted = "accepted";
    public const string Ended = "ended";
}

/// <summary>How a call ended (wire names).</summary>
public static class CallOutcomes
{
    /// <summary>Answered, then hung up.</summary>
    public const string Completed = "completed";

    /// <summary>Every callee declined.</summary>
    public const string Declined = "declined";

    /// <summary>The caller hung up before anyone answered.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Nobody answered within the ring timeout.</summary>
    public const string Missed = "missed";

    /// <summary>Every callee was already in another call.</summary>
    public const string Busy = "busy";

    /// <summary>A participant's connection was lost for longer than the reconnect grace (or the server stopped).</summary>
    public const string Failed = "failed";
}

/// <summary>Where one person stands in a call (wire names).</summary>
public static class ParticipantStates
{
    public const string Ringing = "ringing";
    public const string Joined = "joined";

    /// <summary>Joined, but the connection in the call dropped: kept for the reconnect grace.</summary>
    public const string Reconnecting = "reconnecting";

    public const string Declined = "declined";
    public const string Missed = "missed";
    public const string Busy = "busy";
    public const string Left = "left";

    /// <summary>In the call's mesh: joined, or joined and briefly away.</summary>
    public static bool InCall(string state) => state is Joined or Reconnecting;
}

/// <summary>One person of a call and where they stand.</summary>
[GenerateSerializer, Immutable]
public sealed record CallParticipant(long UserId, string State);

/// <summary>
/// A call as its members see it (the hub's callRinging and callUpdated events carry it).
/// <paramref name="Version"/> grows with every change, so a client keeps the newest of views that
/// reached it by different routes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallView(
    Guid CallId,
    string ConversationId,
    string Media,
    long CallerId,
    string State,
    string? Outcome,
    IReadOnlyList<CallParticipant> Participants,
    DateTime StartedAt,
    DateTime? AcceptedAt,
    DateTime? EndedAt,
    int Version)
{
    public bool Over => State == CallStates.Ended;
}

/// <summary>
/// The hub connection a participant is in the call with. <paramref name="DeviceId"/> names the page
/// or app behind it (the hub's "device" query parameter, else the connection id): the same device
/// coming back on a new connection takes its place in the call, another device of the same person cannot.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallConnection(string ConnectionId, string DeviceId);

/// <summary>An SDP offer or answer (type "offer", "answer", "pranswer" or "rollback").</summary>
[GenerateSerializer, Immutable]
public sealed record SessionDescription(string Type, string Sdp);

/// <summary>An ICE candidate as RTCIceCandidateInit carries it ("" candidate: end of candidates).</summary>
[GenerateSerializer, Immutable]
public sealed record IceCandidate(string Candidate, string? SdpMid, int? SdpMLineIndex, string? UsernameFragment);

/// <summary>One WebRTC signal relayed between two participants: a description or a candidate.</summary>
[GenerateSerializer, Immutable]
public sealed record CallSignal(SessionDescription? Description, IceCandidate? Candidate)
{
    public const int MaxSdpLength = 30_000;
    public const int MaxCandidateLength = 1_000;
    public const int MaxIdLength = 256;

    static readonly string[] DescriptionTypes = ["offer", "answer", "pranswer", "rollback"];

    /// <summary>Why the signal cannot be relayed, or null.</summary>
    public string? Problem() => (Description, Candidate) switch
    {
        (null, null) => "a signal carries a description or a candidate",
        (not null, not null) => "a signal carries a description or a candidate, not both",
        ({ } d, _) when !DescriptionTypes.Contains(d.Type) => "a description's type is offer, answer, pranswer or rollback",
        ({ } d, _) when d.Sdp is null || d.Sdp.Length > MaxSdpLength => $"a description's sdp is at most {MaxSdpLength} characters",
        (_, { } c) when c.Candidate is null || c.Candidate.Length > MaxCandidateLength => $"a candidate is at most {MaxCandidateLength} characters",
        (_, { } c) when c.SdpMid?.Length > MaxIdLength || c.UsernameFragment?.Length > MaxIdLength => $"sdpMid and usernameFragment are at most {MaxIdLength} characters",
        _ => null,
    };
}

/// <summary>
/// What a call message (kind "call") records, stored with the message and updated in place when
/// the call ends: the outcome and, for an answered call, how long it ran.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallSummary(Guid CallId, string Media, string? Outcome, int? DurationSeconds, DateTime? EndedAt)
{
    /// <summary>The line other dialects (and clients that do not know calls) show for the message.</summary>
    public string Describe()
    {
        var what = Media == CallMedia.Video ? "video call" : "voice call";
        var title = char.ToUpperInvariant(what[0]) + what[1..];
        return Outcome switch
        {
            null => title,
            CallOutcomes.Missed => $"Missed {what}",
            CallOutcomes.Declined => $"Declined {what}",
            CallOutcomes.Cancelled => $"Cancelled {what}",
            CallOutcomes.Busy => $"{title} (busy)",
            CallOutcomes.Failed when DurationSeconds is { } seconds => $"{title}, {Clock(seconds)} (connection lost)",
            CallOutcomes.Failed => $"{title} failed",
            _ => $"{title}, {Clock(DurationSeconds ?? 0)}",
        };
    }

    static string Clock(int seconds) => seconds >= 3600
        ? $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}"
        : $"{seconds / 60}:{seconds % 60:00}";
}

/// <summary>
/// Why a call request was refused. Each message starts with its reason, one of a fixed set the
/// hub's clients may match on: "not a member", "busy", "call over", "not a participant",
/// "too many participants" (and "invalid" for a malformed request).
/// </summary>
public static class CallRefusals
{
    public static DomainError NotAMember() => DomainError.Forbidden("not a member: you are not a member of this conversation");
    public static DomainError Busy(string why) => DomainError.Conflict($"busy: {why}");
    public static DomainError CallOver() => DomainError.Conflict("call over: this call has ended");
    public static DomainError NotAParticipant(string why) => DomainError.Forbidden($"not a participant: {why}");
    public static DomainError TooManyParticipants(int max) => DomainError.Conflict($"too many participants: a call holds at most {max} people");
    public static DomainError Invalid(string why) => DomainError.Invalid($"invalid: {why}");
}
