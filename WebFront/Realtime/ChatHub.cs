using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Apis;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// The real-time endpoint, /hubs/chat. Clients send through it and receive the events of
/// <see cref="IChatClient"/> (dispatched by <see cref="HubDispatch"/>). Every method returns
/// when done or throws a HubException saying why. A connection is closed when its token is
/// revoked (<see cref="SessionRevocation"/>).
/// </summary>
[Authorize]
internal sealed partial class ChatHub(
    HubConnections connections, SessionRevocation revocation, ConversationViews views, IGrainFactory grains, IHostApplicationLifetime lifetime,
    MessagePermits permits)
    : Hub<IChatClient>
{
    long UserId => Context.User!.UserId();

    public override async Task OnConnectedAsync()
    {
        // A connection that slipped in while the host began to stop (SignalR has already closed the
        // others) is closed too, or it would hold the shutdown until the client gives up on it.
        if (lifetime.ApplicationStopping.IsCancellationRequested) throw new HubException("the server is shutting down; connect again");
        var context = Context;
        var session = await revocation.Watch(Context.User!.Caller(), () =>
        {
            context.Abort();
            return Task.CompletedTask;
        }, Context.GetHttpContext()?.Items[TokenAuthenticationHandler.CheckedAtItem] as long?) ?? throw new HubException("this token was revoked; log in again");
        Context.Items[typeof(SessionRevocation)] = session;
        DomainError? refused;
        try
        {
            refused = await connections.Connected(UserId, Context.ConnectionId);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync for a connection that failed to connect.
            await Unregister(session);
            throw;
        }
        if (refused is not null)
        {
            await Unregister(session);
            throw new HubException(refused.Message);
        }
    }

    async Task Unregister(IAsyncDisposable session)
    {
        Context.Items.Remove(typeof(SessionRevocation));
        await session.DisposeAsync();
        await connections.Disconnected(UserId, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(typeof(SessionRevocation), out var session) && session is IAsyncDisposable watching)
            await watching.DisposeAsync();
        await CallConnectionClosed();
        await connections.Disconnected(UserId, Context.ConnectionId);
    }

    /// <summary>
    /// The caller's conversations with their last seq, for a client that has just (re)connected:
    /// events flow from the moment this returns, and anything before that is in history
    /// (fetch afterSeq = the last seq the client holds).
    /// </summary>
    public Task<IReadOnlyList<ConversationDto>> Sync() => views.ListFor(UserId);

    public async Task<MessageDto> SendMessage(SendMessageRequest request)
    {
        var conversation = Conversation(request?.ConversationId);
        if (await permits.Take(UserId) is { } limited) throw Refused(limited);
        var sent = await conversation.Send(UserId, request!.ToDomain());
        return sent.Value is { } message ? MessageDto.From(message) : throw Refused(sent.Error!);
    }

    public async Task MarkRead(string conversationId, long seq)
    {
        if (await Conversation(conversationId).MarkRead(UserId, seq) is { } error) throw Refused(error);
    }

    public async Task Typing(string conversationId)
    {
        if (await Conversation(conversationId).Typing(UserId) is { } error) throw Refused(error);
    }

    /// <summary>
    /// The conversation's grain reference, remembered on the connection (a few dozen at most):
    /// making a reference from a string key costs more than the call through it. Not locked: SignalR
    /// runs one invocation per connection at a time (kept at 1 so a connection's sends stay in order).
    /// </summary>
    IConversationGrain Conversation(string? conversationId)
    {
        var cache = Context.Items.TryGetValue(typeof(ChatHub), out var items) ? (Dictionary<string, IConversationGrain>)items! : null;
        if (conversationId is not null && cache?.TryGetValue(conversationId, out var known) == true) return known;
        if (!ConversationIds.TryParse(conversationId, out _, out _)) throw new HubException($"unknown conversation {FreeText.Quote(conversationId)}");
        var conversation = grains.GetGrain<IConversationGrain>(conversationId!);
        if (cache is null) Context.Items[typeof(ChatHub)] = cache = [];
        if (cache.Count >= MaxRememberedConversations) cache.Clear();
        cache[conversationId!] = conversation;
        return conversation;
    }

    const int MaxRememberedConversations = 32;

    static HubException Refused(DomainError error) => new(error.Message);
}
