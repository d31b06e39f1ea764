using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Users;

/// <summary>How a writer tells other users' grains what its committed write changed in their counters.</summary>
public static class CounterDelivery
{
    /// <summary>
    /// Delivers a change (read <paramref name="epochBeforeCommit"/> before committing; null means
    /// the user is not live and has nothing to count). When the call fails, whether it arrived is
    /// unknown, so the user's grain is asked to load its counters from the tables instead; a late
    /// delivery then carries a retired epoch and is not added on top. If even that fails the
    /// grain is unreachable and its next activation loads them anyway.
    /// </summary>
    public static async Task<Guid?> Deliver(IGrainFactory grains, long userId, CounterChange change, Guid? epochBeforeCommit, ILogger logger)
    {
        if (epochBeforeCommit is not { } epoch || change == Empty) return epochBeforeCommit;
        var user = grains.GetGrain<IUserGrain>(userId);
        try
        {
            return await user.ApplyCounterChange(change, epoch);
        }
        catch (Exception e)
        {
            AccountLog.CounterChangeUndelivered(logger, e, userId);
        }
        await Refresh(grains, userId, logger);
        return null;
    }

    /// <summary>Asks a user's grain to load its counters from the tables again.</summary>
    public static async Task Refresh(IGrainFactory grains, long userId, ILogger logger)
    {
        try
        {
            await grains.GetGrain<IUserGrain>(userId).RefreshCounters();
        }
        catch (Exception e)
        {
            AccountLog.CountersReloadFailed(logger, e, userId);
        }
    }

    static readonly CounterChange Empty = new();
}
