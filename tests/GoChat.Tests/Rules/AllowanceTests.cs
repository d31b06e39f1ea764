using System.Diagnostics;
using GoChat.Grains;
using GoChat.Grains.Limits;

namespace GoChat.Tests.Rules;

/// <summary>The token buckets behind the abuse limits, on a clock the test moves.</summary>
[Trait("Tier", "Fast")]
public sealed class AllowanceTests
{
    static readonly long Start = Stopwatch.GetTimestamp();
    static long At(double seconds) => Start + (long)(seconds * Stopwatch.Frequency);

    static UserAllowances Allowances(Action<LimitsOptions>? change = null)
    {
        var limits = new LimitsOptions();
        change?.Invoke(limits);
        return new UserAllowances(limits);
    }

    [Fact]
    public void A_burst_of_messages_is_allowed_then_one_more_each_time_the_rate_allows()
    {
        var allowances = Allowances(l => (l.MessageBurst, l.MessagesPerSecond) = (5, 2));
        Assert.Equal(5, allowances.TakeMessagePermits(100, At(0)).Granted);

        var (granted, refusal) = allowances.TakeMessagePermits(1, At(0.1));
        Assert.Equal(0, granted);
        Assert.Equal(ErrorKind.RateLimited, refusal!.Kind);
        Assert.Contains("at most 2 a second", refusal.Message);
        Assert.InRange(refusal.RetryAfter!.Value.TotalSeconds, 0.3, 0.5);

        Assert.Equal(1, allowances.TakeMessagePermits(1, At(0.55)).Granted);
        Assert.Equal(0, allowances.TakeMessagePermits(1, At(0.6)).Granted);
        Assert.Equal(5, allowances.TakeMessagePermits(100, At(60)).Granted); // refilled, never beyond the burst
    }

    [Fact]
    public void Uploads_count_per_hour_and_reserve_the_days_bytes_giving_back_what_they_did_not_store()
    {
        var allowances = Allowances(l => (l.UploadsPerHour, l.UploadBytesPerDay) = (3, 1000));
        Assert.Equal(800, allowances.StartUpload(800, At(0)).Value);
        allowances.FinishUpload(800, 300, At(0)); // stored 300: 700 left
        Assert.Equal(700, allowances.StartUpload(900, At(0)).Value);
        allowances.FinishUpload(700, 700, At(0)); // nothing left today

        var noBytes = allowances.StartUpload(10, At(0)).Error!;
        Assert.Contains("a day allowed", noBytes.Message);
        Assert.InRange(noBytes.RetryAfter!.Value.TotalSeconds, 800, 900); // 10 bytes at 1000 a day: 864 s
        // A refusal for bytes does not spend one of the hour's uploads: 100 s later a byte is back
        // and the third upload may start, but no fourth.
        Assert.Equal(1, allowances.StartUpload(10, At(100)).Value);
        var noUploads = allowances.StartUpload(1, At(200)).Error!;
        Assert.Contains("at most 3 an hour", noUploads.Message);
    }

    [Fact]
    public void Daily_allowances_refill_over_the_day_and_say_when_the_next_is_possible()
    {
        var allowances = Allowances(l => (l.GroupsPerDay, l.ContactRequestsPerDay) = (2, 1));
        Assert.Null(allowances.TakeGroupCreation(At(0)));
        Assert.Null(allowances.TakeGroupCreation(At(1)));
        var refused = allowances.TakeGroupCreation(At(2))!;
        Assert.Equal("rate limited: too many new groups (at most 2 a day); try again in 12 hours", refused.Message);
        Assert.Null(allowances.TakeGroupCreation(At(12 * 3600 + 1)));

        Assert.Null(allowances.TakeContactRequest(At(0)));
        Assert.Contains("at most 1 a day", allowances.TakeContactRequest(At(0))!.Message);
        Assert.Equal(TimeSpan.FromDays(1), allowances.RestedIn(At(0)));
    }
}
