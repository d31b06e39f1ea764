using GoChat.Grains.Calls;

namespace GoChat.Tests.Rules;

/// <summary>What a call message says, and which signals are relayed at all.</summary>
[Trait("Tier", "Fast")]
public sealed class CallSummaryTests
{
    [Theory]
    [InlineData("video", null, null, "Video call")]
    [InlineData("audio", "missed", null, "Missed voice call")]
    [InlineData("video", "declined", null, "Declined video call")]
    [InlineData("audio", "cancelled", null, "Cancelled voice call")]
    [InlineData("video", "busy", null, "Video call (busy)")]
    [InlineData("audio", "completed", 192, "Voice call, 3:12")]
    [InlineData("video", "completed", 3725, "Video call, 1:02:05")]
    [InlineData("audio", "failed", 65, "Voice call, 1:05 (connection lost)")]
    [InlineData("audio", "failed", null, "Voice call failed")]
    public void A_call_message_reads_as_its_outcome_and_duration(string media, string? outcome, int? seconds, string expected) =>
        Assert.Equal(expected, new CallSummary(Guid.NewGuid(), media, outcome, seconds, null).Describe());

    [Fact]
    public void A_signal_is_one_description_or_one_candidate_within_limits()
    {
        Assert.Null(new CallSignal(new SessionDescription("offer", "v=0"), null).Problem());
        Assert.Null(new CallSignal(null, new IceCandidate("", null, null, null)).Problem());
        Assert.NotNull(new CallSignal(null, null).Problem());
        Assert.NotNull(new CallSignal(new SessionDescription("offer", "v=0"), new IceCandidate("", null, null, null)).Problem());
        Assert.NotNull(new CallSignal(new SessionDescription("hello", "v=0"), null).Problem());
        Assert.NotNull(new CallSignal(new SessionDescription("answer", new string('a', CallSignal.MaxSdpLength + 1)), null).Problem());
        Assert.NotNull(new CallSignal(null, new IceCandidate(new string('c', CallSignal.MaxCandidateLength + 1), null, null, null)).Problem());
    }
}
