using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// Ends live connections (hub connections, ginchat sockets) whose token was revoked by a logout, a
/// new password, a disabled or closed account, or the end of its session. A token is checked when its
/// connection opens; from then on the connection listens on its user's delivery route, where the user
/// grain publishes <see cref="TokensRevoked"/> to every WebFront holding a connection of that user, and
/// closes when its token is older or its session is the one ended. A route that had forgotten this
/// WebFront may have dropped that event: on <see cref="Resync"/> the connection asks the user grain
/// about its token again instead.
/// </summary>
internal sealed class SessionRevocation(RouteListeners listeners, RouteTable routes, IGrainFactory grains, ILogger<SessionRevocation> logger)
{
    /// <summary>
    /// Calls <paramref name="close"/> (once) when the caller's token (its version or its session) is
    /// revoked, until the returned handle is disposed. Null, watching nothing, when it was revoked already.
    /// <paramref name="checkedAt"/>: when the token was checked with its user grain (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp), if known.
    /// </summary>
    public async Task<RouteListeners.Listening?> Watch(TokenClaims caller, Func<Task> close, long? checkedAt = null)
    {
        var (userId, tokenVersion, sessionId, _) = caller;
        var closed = 0;
        Task CloseOnce()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0) return Task.CompletedTask;
            DeliveryLog.ClosingRevokedSession(logger, userId);
            return close();
        }
        async Task CheckAgain()
        {
            if (!await IsCurrent()) await CloseOnce();
        }

        var listening = await listeners.Listen([RouteKey.ForUser(userId)], e => e switch
        {
            TokensRevoked { SessionId: null } revoked when revoked.TokenVersion > tokenVersion => CloseOnce(),
            TokensRevoked { SessionId: { } ended } when ended == sessionId => CloseOnce(),
            Resync => CheckAgain(),
            _ => Task.CompletedTask,
        });
        // A revocation published between the token check and the attach above did not reach us. None
        // was when the route, attached here since before the check began, delivered no revocation
        // since: the user grain publishes after it answered the check. That is the usual case for a
        // user's further connections here, and saves each a grain call.
        if (checkedAt is { } at && routes.NoRevocationSince(RouteKey.ForUser(userId), at)) return listening;
        if (await IsCurrent()) return listening;
        await listening.DisposeAsync();
        return null;

        async Task<bool> IsCurrent() =>
            await grains.GetGrain<IUserGrain>(userId).CheckSession(tokenVersion, sessionId) != SessionCheck.Ended;
    }
}
