using GoChat.Grains.Chat;
using GoChat.Grains.Users;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// Ends live connections (hub connections, ginchat sockets) whose token was revoked by a logout, a
/// new password or a closed account. A token is checked when its connection opens; from then on the
/// connection listens on its user's delivery route, where the user grain publishes <see cref="TokensRevoked"/>
/// to every WebFront holding a connection of that user, and closes when its token is older. A route
/// that had forgotten this WebFront may have dropped that event: on <see cref="Resync"/> the connection asks the
/// user grain for the current version instead.
/// </summary>
internal sealed class SessionRevocation(RouteListeners listeners, IGrainFactory grains, ILogger<SessionRevocation> logger)
{
    /// <summary>
    /// Calls <paramref name="close"/> (once) when the token version <paramref name="tokenVersion"/> of
    /// <paramref name="userId"/> is revoked, until the returned handle is disposed. Null, watching
    /// nothing, when it was revoked already.
    /// </summary>
    public async Task<RouteListeners.Listening?> Watch(long userId, int tokenVersion, Func<Task> close)
    {
        var closed = 0;
        Task CloseOnce()
        {
            if (Interlocked.Exchange(ref closed, 1) != 0) return Task.CompletedTask;
            DeliveryLog.ClosingRevokedSession(logger, userId);
            return close();
        }
        async Task CheckAgain()
        {
            if (!await IsCurrent(userId, tokenVersion)) await CloseOnce();
        }

        var listening = await listeners.Listen([RouteKey.ForUser(userId)], e => e switch
        {
            TokensRevoked revoked when revoked.TokenVersion > tokenVersion => CloseOnce(),
            Resync => CheckAgain(),
            _ => Task.CompletedTask,
        });
        // A revocation published between the token check and the attach above did not reach us.
        if (await IsCurrent(userId, tokenVersion)) return listening;
        await listening.DisposeAsync();
        return null;
    }

    async Task<bool> IsCurrent(long userId, int tokenVersion) =>
        await grains.GetGrain<IUserGrain>(userId).GetTokenVersion() == tokenVersion;
}
