using System.Diagnostics;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Users;

/// <summary>
/// The account's allowances (<see cref="UserAllowances"/>, in memory) and its live hub connections,
/// counted per WebFront (in memory; each WebFront reports its count again periodically, which
/// rebuilds them after this grain was lost with its silo). Presence and the connection limit both
/// read that count; connections on WebFronts that cluster membership shows leaving or dead do not count.
/// </summary>
internal sealed partial class UserGrain : IUserAllowances, IUserConnections
{
    readonly Dictionary<SiloAddress, int> _connections = [];
    UserAllowances? _allowances;
    LimitsOptions? _limits;
    DateTime _keptActiveUntil;

    LimitsOptions Limits => _limits ??= ServiceProvider.GetRequiredService<IOptions<LimitsOptions>>().Value;
    UserAllowances Allowances => _allowances ??= new UserAllowances(Limits);

    public Task<MessagePermitGrant> TakeMessagePermits(int wanted)
    {
        var (granted, refusal) = Allowances.TakeMessagePermits(wanted, Stopwatch.GetTimestamp());
        if (refusal is not null) LimitsLog.MessagesThrottled(logger, UserId, refusal.RetryAfter ?? TimeSpan.Zero);
        KeepActiveWhileRefilling();
        return Task.FromResult(new MessagePermitGrant(granted, refusal));
    }

    public Task<Result<long>> StartUpload(long maxBytes)
    {
        var started = Allowances.StartUpload(maxBytes, Stopwatch.GetTimestamp());
        if (started.Error is { } refusal) LimitsLog.Refused(logger, UserId, "upload", refusal.RetryAfter ?? TimeSpan.Zero);
        KeepActiveWhileRefilling();
        return Task.FromResult(started);
    }

    public Task FinishUpload(long reservedBytes, long storedBytes)
    {
        Allowances.FinishUpload(reservedBytes, storedBytes, Stopwatch.GetTimestamp());
        return Task.CompletedTask;
    }

    public Task<DomainError?> TakeGroupCreation() => Task.FromResult(Counted("group creation", Allowances.TakeGroupCreation(Stopwatch.GetTimestamp())));

    DomainError? TakeContactRequest() => Counted("contact request", Allowances.TakeContactRequest(Stopwatch.GetTimestamp()));

    DomainError? Counted(string what, DomainError? refusal)
    {
        if (refusal is not null) LimitsLog.Refused(logger, UserId, what, refusal.RetryAfter ?? TimeSpan.Zero);
        KeepActiveWhileRefilling();
        return refusal;
    }

    /// <summary>Allowances live in memory: a grain collected while a bucket refills would hand out a fresh day.</summary>
    void KeepActiveWhileRefilling() => KeepActiveFor(Allowances.RestedIn(Stopwatch.GetTimestamp()));

    /// <summary>DelayDeactivation replaces the previous request: keep the latest of all that were asked for.</summary>
    void KeepActiveFor(TimeSpan span)
    {
        var until = DateTime.UtcNow + span;
        if (span <= TimeSpan.Zero || until <= _keptActiveUntil) return;
        _keptActiveUntil = until;
        DelayDeactivation(span);
    }

    public async Task<DomainError?> Connect(SiloAddress webFront)
    {
        var wasOnline = Online;
        if (LiveConnections >= Limits.HubConnectionsPerUser)
        {
            LimitsLog.ConnectionRefused(logger, UserId, Limits.HubConnectionsPerUser);
            return DomainError.RateLimited(
                $"too many connections: an account may hold {Limits.HubConnectionsPerUser} at a time; close another (a tab or a device) first");
        }
        _connections[webFront] = _connections.GetValueOrDefault(webFront) + 1;
        await Connected(wasOnline);
        return null;
    }

    public async Task Disconnect(SiloAddress webFront)
    {
        var wasOnline = Online;
        if (_connections.TryGetValue(webFront, out var count))
        {
            if (count > 1) _connections[webFront] = count - 1;
            else _connections.Remove(webFront);
        }
        if (Online != wasOnline) await AnnouncePresence(Online);
    }

    public async Task ReportConnections(SiloAddress webFront, int count)
    {
        var wasOnline = Online;
        if (count > 0) _connections[webFront] = count;
        else _connections.Remove(webFront);
        await Connected(wasOnline);
    }

    async Task Connected(bool wasOnline)
    {
        // Presence lives only in memory: stay active while connected.
        if (Online) KeepActiveFor(TimeSpan.FromDays(1));
        if (Online != wasOnline) await AnnouncePresence(Online);
    }

    public Task<bool> IsOnline() => Task.FromResult(Online);

    bool Online => LiveConnections > 0;

    /// <summary>Connections held by a WebFront that has left or died do not count: membership decides.</summary>
    int LiveConnections
    {
        get
        {
            foreach (var silo in _connections.Keys.Where(Gone).ToList()) _connections.Remove(silo);
            return _connections.Values.Sum();
        }
    }

    bool Gone(SiloAddress silo) => membership.CurrentSnapshot.GetSiloStatus(silo) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping;

    async Task AnnouncePresence(bool online)
    {
        foreach (var friend in await follows.Friends(UserId))
            await grains.ToUser(friend.Id, new PresenceChanged(UserId, online));
    }
}
