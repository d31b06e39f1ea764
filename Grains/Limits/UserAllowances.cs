using System.Globalization;
using GoChat.Grains.Media;

namespace GoChat.Grains.Limits;

/// <summary>
/// One account's allowances (<see cref="LimitsOptions"/>), each a <see cref="TokenBucket"/> made on
/// first use, held in memory by the account's user grain: one place for the whole cluster. A grain
/// that is lost with its silo starts again with full buckets; the grain stays active while a bucket
/// is refilling (<see cref="RestedIn"/>), so an idle account cannot reset its day by waiting for
/// the grain to be collected.
/// </summary>
internal sealed class UserAllowances(LimitsOptions limits)
{
    const double Hour = 3600, Day = 24 * Hour;

    TokenBucket? _messages, _uploads, _uploadBytes, _groups, _contacts;

    TokenBucket Messages => _messages ??= new(limits.MessageBurst, limits.MessagesPerSecond);
    TokenBucket Uploads => _uploads ??= new(limits.UploadsPerHour, limits.UploadsPerHour / Hour);
    TokenBucket UploadBytes => _uploadBytes ??= new(limits.UploadBytesPerDay, limits.UploadBytesPerDay / Day);
    TokenBucket Groups => _groups ??= new(limits.GroupsPerDay, limits.GroupsPerDay / Day);
    TokenBucket Contacts => _contacts ??= new(limits.ContactRequestsPerDay, limits.ContactRequestsPerDay / Day);

    public (int Granted, DomainError? Refusal) TakeMessagePermits(int wanted, long now)
    {
        var granted = (int)Messages.TakeUpTo(wanted, now);
        if (granted > 0) return (granted, null);
        var wait = Messages.Until(1, now);
        return (0, DomainError.RateLimited(
            $"rate limited: you are sending messages too fast (at most {Number(limits.MessagesPerSecond)} a second); try again in {Waits.Describe(wait)}", wait));
    }

    /// <summary>Counts an upload and reserves up to <paramref name="maxBytes"/> of the day's bytes for it.</summary>
    public Result<long> StartUpload(long maxBytes, long now)
    {
        if (!Uploads.TryTake(1, now))
        {
            var wait = Uploads.Until(1, now);
            return DomainError.RateLimited(
                $"rate limited: too many uploads (at most {limits.UploadsPerHour} an hour); try again in {Waits.Describe(wait)}", wait);
        }
        var reserved = UploadBytes.TakeUpTo(maxBytes, now);
        if (reserved > 0) return Result<long>.Success(reserved);
        Uploads.Return(1, now);
        return UploadBytesRefusal(limits, UploadBytes.Until(maxBytes, now));
    }

    public void FinishUpload(long reservedBytes, long storedBytes, long now)
    {
        if (reservedBytes > storedBytes) UploadBytes.Return(reservedBytes - storedBytes, now);
    }

    /// <summary>An upload refused for the day's bytes; <paramref name="wait"/>: until one of the size it needed may be possible.</summary>
    public static DomainError UploadBytesRefusal(LimitsOptions limits, TimeSpan wait) =>
        DomainError.RateLimited(
            $"rate limited: your uploads have reached the {Size(limits.UploadBytesPerDay)} a day allowed; try again in {Waits.Describe(wait)}", wait);

    public DomainError? TakeGroupCreation(long now) => Groups.TryTake(1, now) ? null
        : PerDay(Groups, now, $"too many new groups (at most {limits.GroupsPerDay} a day)");

    public DomainError? TakeContactRequest(long now) => Contacts.TryTake(1, now) ? null
        : PerDay(Contacts, now, $"too many contact requests (at most {limits.ContactRequestsPerDay} a day)");

    /// <summary>How long until every bucket in use is full again: the grain holding them stays active that long.</summary>
    public TimeSpan RestedIn(long now) => new[] { _messages, _uploads, _uploadBytes, _groups, _contacts }
        .Select(bucket => bucket?.UntilFull(now) ?? TimeSpan.Zero)
        .Max();

    static DomainError PerDay(TokenBucket bucket, long now, string what)
    {
        var wait = bucket.Until(1, now);
        return DomainError.RateLimited($"rate limited: {what}; try again in {Waits.Describe(wait)}", wait);
    }

    static string Size(long bytes) => bytes % LimitsOptions.GiB == 0
        ? (bytes / LimitsOptions.GiB).ToString(CultureInfo.InvariantCulture) + " GiB" : MediaLimits.Describe(bytes);

    static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
