using GoChat.Grains.Chat;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// Listening to delivery routes from code: a ginchat socket, a session watching for its revocation,
/// the hub's own membership handling. A listener is called with every event of its routes (and a
/// <see cref="Resync"/> when a route may have lost some) until its handle is disposed.
/// </summary>
internal sealed class RouteListeners(RouteTable routes)
{
    /// <summary>Attaching is done when this returns, so nothing published after it is missed.</summary>
    public async Task<Listening> Listen(IReadOnlyList<RouteKey> keys, Func<ChatEvent, Task> listener)
    {
        var handle = new Listening(routes, listener);
        try
        {
            foreach (var key in keys.Distinct()) await handle.Add(key);
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }
        return handle;
    }

    /// <summary>One listener's routes; routes can be added and removed while it listens (a group joined or left).</summary>
    public sealed class Listening : IAsyncDisposable
    {
        readonly RouteTable _routes;
        readonly Func<ChatEvent, Task> _listener;
        readonly SemaphoreSlim _lock = new(1, 1);
        readonly HashSet<RouteKey> _keys = [];
        bool _disposed;

        internal Listening(RouteTable routes, Func<ChatEvent, Task> listener)
        {
            _routes = routes;
            _listener = listener;
        }

        /// <summary>Starts listening to <paramref name="key"/> too (no-op when already listening or disposed).</summary>
        public async Task Add(RouteKey key)
        {
            await _lock.WaitAsync();
            try
            {
                if (_disposed || _keys.Contains(key)) return;
                await _routes.AddMember(key, route => route.Listeners = route.Listeners.Add(_listener));
                _keys.Add(key);
            }
            finally { _lock.Release(); }
        }

        /// <summary>Stops listening to <paramref name="key"/> (no-op when not listening).</summary>
        public async Task Remove(RouteKey key)
        {
            await _lock.WaitAsync();
            try
            {
                if (!_keys.Remove(key)) return;
                await _routes.RemoveMember(key, route => route.Listeners = route.Listeners.Remove(_listener));
            }
            finally { _lock.Release(); }
        }

        public async ValueTask DisposeAsync()
        {
            await _lock.WaitAsync();
            try
            {
                _disposed = true;
                foreach (var key in _keys)
                    await _routes.RemoveMember(key, route => route.Listeners = route.Listeners.Remove(_listener));
                _keys.Clear();
            }
            finally { _lock.Release(); }
        }
    }
}
