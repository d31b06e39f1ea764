namespace GoChat.Grains.Calls;

/// <summary>
/// One person's calls. Key: the user id. State, in memory: the call they are in (at most one) and
/// the calls ringing them. Kept active while they hold either, as nothing else would bring it back.
/// A call recorded here that no longer holds the user (its grain was lost) is asked before it
/// makes the user busy, so a lost call never leaves anyone busy for good.
/// </summary>
internal sealed class UserCallsGrain(IGrainFactory grains) : Grain, IUserCallsGrain
{
    Guid? _current;
    readonly HashSet<Guid> _ringing = [];

    public async Task<Guid?> Enter(Guid callId)
    {
        if (await InOtherCall(callId) is { } other) return other;
        _current = callId;
        _ringing.Remove(callId);
        KeepAlive();
        return null;
    }

    public Task Leave(Guid callId)
    {
        if (_current == callId) _current = null;
        _ringing.Remove(callId);
        KeepAlive();
        return Task.CompletedTask;
    }

    public async Task<bool> Ring(Guid callId)
    {
        if (await InOtherCall(callId) is not null) return false;
        _ringing.Add(callId);
        KeepAlive();
        return true;
    }

    public Task StopRinging(Guid callId)
    {
        _ringing.Remove(callId);
        KeepAlive();
        return Task.CompletedTask;
    }

    public Task<Guid?> Current() => Task.FromResult(_current);

    async Task<Guid?> InOtherCall(Guid callId)
    {
        if (_current is not { } current || current == callId) return null;
        if (await grains.GetGrain<ICallGrain>(current).Holds(this.GetPrimaryKeyLong())) return current;
        _current = null;
        return null;
    }

    void KeepAlive() => DelayDeactivation(_current is null && _ringing.Count == 0 ? TimeSpan.Zero : Timeout.InfiniteTimeSpan);
}
