using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoChat.Grains;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Operations;
using GoChat.WebFront.Realtime;
using Microsoft.Extensions.Options;
using static GoChat.WebFront.Apis.LegacyParameter;

namespace GoChat.WebFront.Apis;

/// <summary>ginchat's message frame. Type: 1 private, 2 group, 3 broadcast. Media: 1 text, 2 image, 3 audio (4 video, 5 file added).</summary>
internal sealed record GinchatMessage(
    long FromId, long TargetId, int Type, int Media, string? Content, string? Pic, string? Url, string? Desc, int Amount,
    long? CreateTime = null, string? ConversationId = null, long? Seq = null);

/// <summary>
/// ginchat's WebSockets. /user/sendUserMsg carries Message JSON both ways: frames from the client
/// are sends (private or group) into the same conversations the native API uses; frames to the
/// client are the user's incoming messages, live. /user/sendMsg carries broadcasts (Type 3),
/// which only administrators may send. Each socket listens on the delivery routes it needs (RouteListeners).
/// </summary>
internal static partial class GinchatSockets
{
    public static IEndpointRouteBuilder MapGinchatSockets(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/user/sendUserMsg", SendUserMsg).Reads(Token, Integer("userId")).WithTags("ginchat");
        routes.MapGet("/user/sendMsg", SendMsg).Reads(Token).WithTags("ginchat");
        return routes;
    }

    static async Task SendUserMsg(
        HttpContext http, IGrainFactory grains, RouteListeners listeners, SessionRevocation revocation, GroupStore groups, IHostApplicationLifetime lifetime,
        HubConnections connections)
    {
        if (await Authenticate(http, userIdField: "userId") is not { } caller) return;
        var userId = caller.UserId;
        var socket = new GinchatSocketSender();
        await using var session = await WatchRevocation(http, revocation, caller, socket);
        if (session is null) return;
        await using var counted = await Count(http, connections, userId);
        if (counted is null) return;
        RouteListeners.Listening? listening = null;
        Task Deliver(ChatEvent e) => e switch
        {
            // A bot's reply has no streaming here: it arrives whole when it is finished (Desc: why it failed, if it did).
            MessageSent sent when sent.Message.SenderId != userId && sent.Message.Status != MessageStatus.Streaming => socket.Send(ToFrame(sent.Message, userId)),
            ReplyFinished done when done.Message.SenderId != userId => socket.Send(ToFrame(done.Message, userId) with { Desc = done.Message.Notice ?? "" }),
            // Groups joined or left while the socket is open: their messages start or stop arriving.
            MembershipChanged { Joined: true } changed when changed.UserId == userId && listening is not null => listening.Add(RouteKey.ForGroup(changed.GroupId)),
            MembershipChanged changed when changed.UserId == userId && listening is not null => listening.Remove(RouteKey.ForGroup(changed.GroupId)),
            _ => Task.CompletedTask,
        };

        // Listen before accepting, so everything sent after the client's handshake reaches it.
        var routes = new List<RouteKey> { RouteKey.ForUser(userId) };
        routes.AddRange((await groups.GroupsOf(userId)).Select(RouteKey.ForGroup));
        await using var listen = listening = await listeners.Listen(routes, Deliver);
        await socket.Open(await http.WebSockets.AcceptWebSocketAsync());
        await foreach (var frame in Frames(socket, http, lifetime.ApplicationStopping))
        {
            var refusal = frame.TooLarge is { } tooLarge ? Refusal(tooLarge) : await SendFromFrame(grains, userId, frame.Text, http.RequestServices);
            if (refusal is not null) await socket.Send(refusal);
        }
    }

    static async Task SendMsg(
        HttpContext http, IGrainFactory grains, RouteListeners listeners, SessionRevocation revocation, IHostApplicationLifetime lifetime,
        HubConnections connections)
    {
        if (await Authenticate(http, userIdField: null) is not { } caller) return;
        var userId = caller.UserId;
        var socket = new GinchatSocketSender();
        await using var session = await WatchRevocation(http, revocation, caller, socket);
        if (session is null) return;
        await using var counted = await Count(http, connections, userId);
        if (counted is null) return;
        await using var listening = await listeners.Listen([RouteKey.Broadcast], e => e is Broadcast { Message: var m }
            ? socket.SendText($"[ws][{m.SentAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}]:" +
                JsonSerializer.Serialize(ToFrame(m, 0) with { Type = 3, TargetId = 0 }, GinchatDialect.Json))
            : Task.CompletedTask);
        await socket.Open(await http.WebSockets.AcceptWebSocketAsync());
        await foreach (var frame in Frames(socket, http, lifetime.ApplicationStopping))
        {
            if (frame.TooLarge is { } tooLarge) { await socket.Send(Refusal(tooLarge)); continue; }
            if (Parse(frame.Text) is not { } message) { await socket.Send(Refusal("the frame is not a Message JSON object")); continue; }
            if (message.Type != 3) { await socket.Send(Refusal("this socket carries broadcasts (Type 3) only")); continue; }
            if (await grains.GetGrain<IUserGrain>(userId).GetProfile() is not { IsAdmin: true })
            {
                await socket.Send(Refusal("only administrators may broadcast"));
                continue;
            }
            if (message.Content is not { Length: > 0 and <= ConversationGrain.MaxTextLength })
            {
                await socket.Send(Refusal($"a broadcast needs Content of 1-{ConversationGrain.MaxTextLength} characters"));
                continue;
            }
            if (FreeText.CheckText("Content", message.Content) is { } textError)
            {
                await socket.Send(Refusal(textError.Message));
                continue;
            }
            var broadcast = new ChatMessage(0, "broadcast", 0, userId, "text", message.Content, null, null, "", DateTime.UtcNow, null, false);
            await grains.ToBroadcast(new Broadcast(userId, broadcast));
        }
    }

    /// <summary>The caller (token in the query or a bearer header), or null after answering with a ginchat error.</summary>
    static async Task<TokenClaims?> Authenticate(HttpContext http, string? userIdField)
    {
        var p = await LegacyParams.ReadAsync(http.Request);
        var caller = await p.CallerTokenAsync(http.Request, userIdField);
        if (caller.Error is { } error)
        {
            await GinchatDialect.Fail(error).ExecuteAsync(http);
            return null;
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await GinchatDialect.Fail("this route is a WebSocket; connect with ws://").ExecuteAsync(http);
            return null;
        }
        return caller.Value;
    }

    /// <summary>
    /// Counts the socket among its user's connections until it ends (the per-account limit, presence);
    /// null, after answering with a ginchat error, when the account holds as many as it may.
    /// </summary>
    static async Task<IAsyncDisposable?> Count(HttpContext http, HubConnections connections, long userId)
    {
        var socketId = $"ginchat:{Guid.NewGuid():N}";
        if (await connections.SocketOpened(userId, socketId) is { } refused)
        {
            await GinchatDialect.Fail(refused).ExecuteAsync(http);
            return null;
        }
        return new Uncount(() => connections.SocketClosed(userId, socketId));
    }

    sealed class Uncount(Func<Task> closed) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await closed();
    }

    /// <summary>
    /// Closes the socket (before it opens, if need be) when the caller's token is revoked, with 1008
    /// (policy violation). Null, after answering with a ginchat error, when it is revoked already.
    /// </summary>
    static async Task<IAsyncDisposable?> WatchRevocation(HttpContext http, SessionRevocation revocation, TokenClaims caller, GinchatSocketSender socket)
    {
        var session = await revocation.Watch(caller,
            () => socket.Close(WebSocketCloseStatus.PolicyViolation, "the session ended (logged out); log in again"));
        if (session is null) await GinchatDialect.Fail("invalid or expired token; log in again").ExecuteAsync(http);
        return session;
    }

    /// <summary>
    /// Sends what a frame asks; null when sent, else the refusal frame to answer with. A send that
    /// fails is answered too (the socket stays open): "try again" when the database was away.
    /// </summary>
    static async Task<GinchatMessage?> SendFromFrame(IGrainFactory grains, long userId, string frame, IServiceProvider services)
    {
        if (Parse(frame) is not { } message) return Refusal("the frame is not a Message JSON object");
        string conversationId;
        if (message.Type == 1 && message.TargetId > 0 && message.TargetId != userId) conversationId = ConversationIds.Direct(userId, message.TargetId);
        else if (message.Type == 2 && message.TargetId > 0) conversationId = ConversationIds.Group(message.TargetId);
        else return Refusal("Type must be 1 (private, TargetId = a user) or 2 (group, TargetId = a group)");

        var mediaId = message.Url is { } url && OwnMediaUrl().Match(url) is { Success: true } match
            ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : (long?)null;
        var kind = mediaId is null ? "text" : message.Media switch { 2 => "image", 3 => "audio", 4 => "video", _ => "file" };
        var text = mediaId is null && string.IsNullOrWhiteSpace(message.Content) ? message.Url ?? "" : message.Content ?? "";
        Result<ChatMessage> sent;
        try
        {
            if (await services.GetRequiredService<MessagePermits>().Take(userId) is { } limited) return Refusal(limited.Message);
            sent = await grains.GetGrain<IConversationGrain>(conversationId)
                .Send(userId, new SendMessage(Guid.NewGuid().ToString("N"), kind, text, mediaId, null));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GinchatSockets));
            if (DatabaseOutage.TryAgain(e, services) is { } words)
            {
                OperationsLog.SocketFrameTryAgain(log, e, userId);
                return Refusal(words);
            }
            OperationsLog.SocketFrameFailed(log, e, userId);
            return Refusal("the server could not send this message");
        }
        return sent.Error is { } error ? Refusal(error.Message) : null;
    }

    static GinchatMessage ToFrame(ChatMessage m, long recipientId)
    {
        var isGroup = ConversationIds.TryParse(m.ConversationId, out _, out var groupId) && groupId is not null;
        var media = m.Kind switch { "image" => 2, "audio" => 3, "video" => 4, "file" => 5, _ => 1 };
        var url = m.Media is { } attachment ? NativeApiMedia.ContentPath(attachment.Id) : "";
        return new GinchatMessage(m.SenderId, isGroup ? groupId!.Value : recipientId, isGroup ? 2 : 1, media, m.Text, "", url, "", 0,
            new DateTimeOffset(m.SentAt).ToUnixTimeMilliseconds(), m.ConversationId, m.Seq > 0 ? m.Seq : null);
    }

    static GinchatMessage Refusal(string why) => new(0, 0, 0, 0, null, null, null, why, 0);

    static GinchatMessage? Parse(string frame)
    {
        try
        {
            return JsonSerializer.Deserialize<GinchatMessage>(frame, GinchatDialect.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A message the client sent, or (<see cref="TooLarge"/>: why) one too large to read, which was skipped.</summary>
    readonly record struct Frame(string Text, string? TooLarge);

    /// <summary>
    /// The client's text frames until it closes or goes away, or the server closes the socket. When
    /// the server stops, the socket is closed with 1001 (going away) so the client reconnects; a
    /// client that does not answer a close within 2 seconds is cut off, so the shutdown never waits on it.
    /// </summary>
    static async IAsyncEnumerable<Frame> Frames(
        GinchatSocketSender socket, HttpContext http, CancellationToken stopping, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var maxBytes = http.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.WebSocketMessageBytes;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, socket.CutOff, ct);
        using var onStop = stopping.Register(() => _ = socket.Close(WebSocketCloseStatus.EndpointUnavailable, "the server is shutting down"));
        await foreach (var frame in ReadFrames(socket.Socket!, maxBytes, ended.Token))
        {
            // A frame that arrives after a revocation closed the socket is not the session's to send.
            if (socket.Closing) yield break;
            yield return frame;
        }
    }

    /// <summary>
    /// Whole messages of at most <paramref name="maxBytes"/>. A larger one is read to its end and
    /// dropped, never buffered, and reported as too large: the client is answered, the socket stays.
    /// </summary>
    static async IAsyncEnumerable<Frame> ReadFrames(WebSocket socket, int maxBytes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[maxBytes];
        while (socket.State == WebSocketState.Open)
        {
            var length = 0;
            var tooLarge = false;
            ValueWebSocketReceiveResult result;
            try
            {
                do
                {
                    if (length == buffer.Length)
                    {
                        tooLarge = true;
                        length = 0; // keep reading into the same buffer until the message ends
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                    length += result.Count;
                } while (!result.EndOfMessage);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                yield break;
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                yield break;
            }
            yield return tooLarge
                ? new Frame("", $"the message is too large: messages on this socket are limited to {maxBytes} bytes")
                : new Frame(Encoding.UTF8.GetString(buffer, 0, length), null);
        }
    }

    [GeneratedRegex(@"/api/v1/media/(\d{1,18})/content$")]
    private static partial Regex OwnMediaUrl();
}
