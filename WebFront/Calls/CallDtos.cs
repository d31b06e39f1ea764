using System.Text.Json.Serialization;
using GoChat.Grains.Calls;

namespace GoChat.WebFront.Calls;

/// <summary>A call as the hub shows it (StartCall's answer, callRinging, callUpdated, Sync's conversations).</summary>
public sealed record CallDto(
    string CallId, string ConversationId, string Media, long CallerId, string State, string? Outcome,
    IReadOnlyList<CallParticipantDto> Participants, DateTime StartedAt, DateTime? AcceptedAt, DateTime? EndedAt, int Version)
{
    public static CallDto From(CallView c) => new(c.CallId.ToString(), c.ConversationId, c.Media, c.CallerId, c.State, c.Outcome,
        c.Participants.Select(p => new CallParticipantDto(p.UserId, p.State)).ToList(), c.StartedAt, c.AcceptedAt, c.EndedAt, c.Version);
}

public sealed record CallParticipantDto(long UserId, string State);

/// <summary>What a call message (kind "call") says about its call; outcome and duration arrive when the call ends.</summary>
public sealed record MessageCallDto(string CallId, string Media, string? Outcome, int? DurationSeconds, DateTime? EndedAt)
{
    public static MessageCallDto? From(CallSummary? c) =>
        c is null ? null : new MessageCallDto(c.CallId.ToString(), c.Media, c.Outcome, c.DurationSeconds, c.EndedAt);
}

public sealed record SessionDescriptionDto(string? Type, string? Sdp);

public sealed record IceCandidateDto(string? Candidate, string? SdpMid, int? SdpMLineIndex, string? UsernameFragment);

/// <summary>A WebRTC signal: an SDP description (RTCSessionDescriptionInit) or an ICE candidate (RTCIceCandidateInit).</summary>
public sealed record CallSignalDto(SessionDescriptionDto? Description, IceCandidateDto? Candidate)
{
    public CallSignal ToDomain() => new(
        Description is { } d ? new SessionDescription(d.Type ?? "", d.Sdp ?? "") : null,
        Candidate is { } c ? new IceCandidate(c.Candidate ?? "", c.SdpMid, c.SdpMLineIndex, c.UsernameFragment) : null);

    public static CallSignalDto From(CallSignal s) => new(
        s.Description is { } d ? new SessionDescriptionDto(d.Type, d.Sdp) : null,
        s.Candidate is { } c ? new IceCandidateDto(c.Candidate, c.SdpMid, c.SdpMLineIndex, c.UsernameFragment) : null);
}

/// <summary>The callSignal event: a signal from another participant of the call.</summary>
public sealed record CallSignalEventDto(string CallId, long FromUserId, CallSignalDto Signal);

/// <summary>One entry of RTCConfiguration.iceServers.</summary>
public sealed record IceServerDto(
    IReadOnlyList<string> Urls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential = null);

/// <summary>GET /api/v1/calls/ice-servers: the servers to give RTCPeerConnection, and how long the TURN credential lasts.</summary>
public sealed record IceServersDto(IReadOnlyList<IceServerDto> IceServers, int TtlSeconds);
