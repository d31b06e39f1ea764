using System.Collections.Concurrent;
using System.Diagnostics;
using GoChat.Grains.Users;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Limits;

/// <summary>
/// The message rate limit (GoChat:Limits:MessagesPerSecond, MessageBurst) on the send path of every
/// dialect, without a grain call per message. Each account's allowance is a token bucket in its user
/// grain, one place for the whole cluster; this silo takes permits from it as a lease (an eighth of
/// the burst, or a quarter of a second's worth if that is more) and spends them itself, so a person
/// sending now and then costs the user grain one call per lease, not one per message. Permits
/// unspent after 30 seconds lapse (the bucket counted them spent). Over time the rate is never
/// exceeded; a burst can exceed MessageBurst by at most the leases of the WebFronts the user sends
/// through, and a user sending through several at once is at worst refused slightly early. A
/// refusal is remembered here until the bucket refills, so a flood costs the user grain nothing.
/// </summary>
public sealed class MessagePermits(IGrainFactory grains, IOptions<LimitsOptions> options)
{
    static readonly long LeaseLifetime = 30 * Stopwatch.Frequency;
    static readonly long IdleLease = 60 * Stopwatch.Frequency;

    readonly int _chunk = Math.Clamp(
        (int)Math.Ceiling(Math.Max(options.Value.MessagesPerSecond / 4, options.Value.MessageBurst / 8.0)), 1, options.Value.MessageBurst);
    readonly ConcurrentDictionary<long, Lease> _leases = new();
    long _nextSweep = Stopwatch.GetTimestamp() + IdleLease;

    sealed class Lease
    {
        public int Permits;
        public long ExpiresAt, UsedAt;
        public (long Until, DomainError Refusal)? Refused;
        public Task? Refilling;
    }

    /// <summary>Null when <paramref name="userId"/> may send one message now; else the refusal to tell them.</summary>
    public async ValueTask<DomainError?> Take(long userId)
    {
        var lease = _leases.GetOrAdd(userId, static _ => new Lease());
        while (true)
        {
            Task refill;
            lock (lease)
            {
                var now = Stopwatch.GetTimestamp();
                lease.UsedAt = now;
                if (lease.Permits > 0 && now < lease.ExpiresAt)
                {
                    lease.Permits--;
                    return null;
                }
                if (lease.Refused is { } refused && now < refused.Until)
                    return refused.Refusal with { RetryAfter = Stopwatch.GetElapsedTime(now, refused.Until) };
                refill = lease.Refilling ??= Refill(userId, lease);
            }
            try
            {
                await refill;
            }
            finally
            {
                lock (lease)
                    if (ReferenceEquals(lease.Refilling, refill)) lease.Refilling = null;
            }
        }
    }

    /// <summary>One grain call at a time per user on this silo; the senders waiting share its grant.</summary>
    async Task Refill(long userId, Lease lease)
    {
        await Task.Yield(); // leave the caller's lock before the call
        SweepIdleLeases();
        var grant = await grains.GetGrain<IUserAllowances>(userId).TakeMessagePermits(_chunk);
        lock (lease)
        {
            var now = Stopwatch.GetTimestamp();
            if (grant.Granted > 0)
            {
                lease.Permits = grant.Granted;
                lease.ExpiresAt = now + LeaseLifetime;
                lease.Refused = null;
            }
            else if (grant.Refusal is { } refusal)
            {
                lease.Refused = (now + (long)((refusal.RetryAfter ?? TimeSpan.Zero).TotalSeconds * Stopwatch.Frequency), refusal);
            }
        }
    }

    void SweepIdleLeases()
    {
        var now = Stopwatch.GetTimestamp();
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + IdleLease, due) != due) return;
        foreach (var (userId, lease) in _leases)
            lock (lease)
                if (lease.Refilling is null && now - lease.UsedAt > IdleLease) _leases.TryRemove(userId, out _);
    }
}
