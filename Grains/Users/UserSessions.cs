namespace GoChat.Grains.Users;

/// <summary>
/// One account's signed-in sessions, kept by its user grain: loaded from the sessions table on
/// first need and written through, so every token check is answered from memory. Bounded: a
/// sign-in beyond <see cref="MaxPerUser"/> ends the session seen least recently. When a session was
/// last seen is kept in memory at once and written at most once per <see cref="TouchInterval"/>.
/// </summary>
internal sealed class UserSessions(long userId, SessionStore store)
{
    public const int MaxPerUser = 100;
    static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    sealed class Live(SessionInfo info)
    {
        public SessionInfo Info { get; set; } = info;
        public DateTime Written { get; set; } = info.LastSeenAt;
    }

    Dictionary<Guid, Live>? _live;

    async Task<Dictionary<Guid, Live>> Sessions() =>
        _live ??= (await store.Load(userId)).ToDictionary(s => s.Id, s => new Live(s));

    /// <summary>Opens a session; also returns the one ended to make room, if any.</summary>
    public async Task<(SessionInfo Started, Guid? Evicted)> Start(NewSession request)
    {
        var sessions = await Sessions();
        DropExpired(sessions);
        Guid? evicted = null;
        if (sessions.Count >= MaxPerUser)
        {
            evicted = sessions.Values.MinBy(s => s.Info.LastSeenAt)!.Info.Id;
            await End(evicted.Value);
        }
        var now = DateTime.UtcNow;
        var info = new SessionInfo(Guid.NewGuid(), now, now, request.ExpiresAt,
            Truncate(request.From.DeviceInfo, 256), Truncate(request.From.ClientIp, 64));
        await store.Insert(userId, info);
        sessions[info.Id] = new Live(info);
        return (info, evicted);
    }

    /// <summary>Whether the session is live; if so it was just seen.</summary>
    public async Task<bool> Touch(Guid id)
    {
        var sessions = await Sessions();
        if (!sessions.TryGetValue(id, out var session)) return false;
        var now = DateTime.UtcNow;
        if (session.Info.ExpiresAt <= now)
        {
            await End(id);
            return false;
        }
        session.Info = session.Info with { LastSeenAt = now };
        if (now - session.Written >= TouchInterval)
        {
            session.Written = now;
            await store.Touch(id, now);
        }
        return true;
    }

    public async Task<DateTime?> ExpiryOf(Guid id) => (await Sessions()).GetValueOrDefault(id)?.Info.ExpiresAt;

    public async Task<IReadOnlyList<SessionInfo>> List()
    {
        var sessions = await Sessions();
        DropExpired(sessions);
        return sessions.Values.Select(s => s.Info).OrderByDescending(s => s.LastSeenAt).ToList();
    }

    /// <summary>Ends one session; false when it is not one of this account's live sessions.</summary>
    public async Task<bool> End(Guid id)
    {
        var sessions = await Sessions();
        if (!sessions.ContainsKey(id)) return false;
        await store.Delete(userId, id);
        sessions.Remove(id);
        return true;
    }

    /// <summary>Ends every session but <paramref name="except"/>.</summary>
    public async Task EndAll(Guid? except = null)
    {
        await store.DeleteAll(userId, except);
        if (_live is null) return;
        foreach (var id in _live.Keys.Where(id => id != except).ToList()) _live.Remove(id);
    }

    /// <summary>Expired rows are only forgotten here; the table drops them on the next load.</summary>
    static void DropExpired(Dictionary<Guid, Live> sessions)
    {
        var now = DateTime.UtcNow;
        foreach (var expired in sessions.Values.Where(s => s.Info.ExpiresAt <= now).Select(s => s.Info.Id).ToList()) sessions.Remove(expired);
    }

    static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
