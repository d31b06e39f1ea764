using GoChat.Grains.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Limits;

/// <summary>
/// The upload limits (GoChat:Limits:UploadsPerHour, UploadBytesPerDay), kept by the uploader's user
/// grain: an upload counts one and reserves up to its largest possible size of the day's bytes
/// before its body is read, and gives back what it did not store. Two calls per upload, none per byte.
/// </summary>
public sealed class UploadAllowance(IGrainFactory grains, IOptions<LimitsOptions> options, ILogger<UploadAllowance> logger)
{
    /// <summary>Counts an upload of at most <paramref name="maxBytes"/>; settle what it reserved once it is stored or refused.</summary>
    public async Task<Result<UploadReservation>> Reserve(long userId, long maxBytes)
    {
        var started = await grains.GetGrain<IUserAllowances>(userId).StartUpload(maxBytes);
        return started.Error is { } refusal ? refusal : Result<UploadReservation>.Success(new UploadReservation(this, userId, started.Value));
    }

    internal async Task Settle(long userId, long reservedBytes, long storedBytes)
    {
        try
        {
            await grains.GetGrain<IUserAllowances>(userId).FinishUpload(reservedBytes, storedBytes);
        }
        catch (Exception e)
        {
            // The upload itself is decided; only the allowance is worse off for it (until it refills).
            LimitsLog.UploadSettleFailed(logger, e, userId);
        }
    }

    internal LimitsOptions Limits => options.Value;
}

/// <summary>Bytes reserved for one upload; <see cref="Settle"/> gives back what it did not store (once).</summary>
public sealed class UploadReservation(UploadAllowance allowance, long userId, long bytes)
{
    int _settled;

    /// <summary>The most this upload may store.</summary>
    public long Bytes => bytes;

    public Task Settle(long storedBytes) =>
        Interlocked.Exchange(ref _settled, 1) == 0 ? allowance.Settle(userId, bytes, storedBytes) : Task.CompletedTask;

    /// <summary>The refusal of an upload that needed <paramref name="wantedBytes"/> but met what is left of the day's bytes.</summary>
    public DomainError RefusalFor(long wantedBytes) =>
        UserAllowances.UploadBytesRefusal(allowance.Limits, TimeSpan.FromSeconds((wantedBytes - bytes) / (allowance.Limits.UploadBytesPerDay / 86400.0)));
}
