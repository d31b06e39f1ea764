using GoChat.Grains.Media;
using GoChat.Grains.Storage;
using Microsoft.Extensions.Options;
using GoChat.Grains.Users;
using Orleans.Concurrency;

namespace GoChat.Grains.Chat;

/// <summary>
/// One conversation. Key: "d:{lo}:{hi}" (two users) or "g:{groupId}".
/// State: the last assigned seq (recovered from the message log on activation) and a cache of
/// recent clientMsgIds, so retried sends return the original message.
/// Invariants: seq is assigned here and only here, 1, 2, 3, ... in the order sends arrive; a send
/// is answered only after its row is committed (the message log group-commits concurrent sends);
/// a refused send takes no seq (it is validated first, and a row the database refused gives its
/// seq back); only members read or write.
/// Reentrant so that many sends can wait for their commit together; everything between awaits
/// runs one turn at a time, so seq assignment needs no lock.
/// </summary>
[Reentrant]
public sealed partial class ConversationGrain(
    MessageLog log, ConversationStore conversations, MediaStore media, IGrainFactory grains, IOptions<MessageOptions> options, ChatMetrics metrics) : Grain, IConversationGrain
{
    readonly TimeSpan _editWindow = options.Value.EditWindow;
    readonly TimeSpan _recallWindow = options.Value.RecallWindow;

    public const int MaxTextLength = 4000;
    public const int MaxClientMsgIdLength = 64;
    public const int MaxPageSize = 200;
    const int RetryCacheSize = 2000;

    long _lastSeq;
    (long Lo, long Hi)? _direct;
    long? _groupId;
    bool _directMembersRecorded;
    readonly Dictionary<(long Sender, string ClientMsgId), Task<Result<ChatMessage>>> _recent = [];
    readonly Queue<(long, string)> _recentOrder = new();

    string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!ConversationIds.TryParse(Id, out _direct, out _groupId)) return;
        _lastSeq = await log.LastSeq(Id);
        foreach (var message in await log.Recent(Id, RetryCacheSize))
            Remember(message.SenderId, message.ClientMsgId, Task.FromResult(Result<ChatMessage>.Success(message)));
    }

    public async Task<bool> IsMember(long userId)
    {
        if (_direct is { } pair) return (userId == pair.Lo || userId == pair.Hi) && await BothUsersExist(pair);
        return _groupId is { } groupId && await grains.GetGrain<IGroupGrain>(groupId).IsMember(userId);
    }

    public async Task<DomainError?> Open(long callerId)
    {
        if (!await IsMember(callerId)) return NotAllowed();
        await RecordDirectMembers();
        return null;
    }

    public async Task<Result<ChatMessage>> Send(long senderId, SendMessage request)
    {
        if (Validate(request) is { } invalid) return invalid;
        if (_recent.TryGetValue((senderId, request.ClientMsgId), out var earlier)) return await earlier;
        if (!await IsMember(senderId)) return NotAllowed();
        if (_closedMembers.Count > 0) return DomainError.Forbidden("this account was deleted; it cannot receive messages any more");
        if (_recent.TryGetValue((senderId, request.ClientMsgId), out earlier)) return await earlier;
        if (request.ReplyToSeq is { } replyTo && (replyTo < 1 || replyTo > _lastSeq))
            return DomainError.Invalid($"replyToSeq {replyTo} is not a message of this conversation");
        MediaRef? attachment = null;
        if (request.MediaId is { } mediaId)
        {
            var checkedMedia = await CheckMedia(senderId, request.Kind, mediaId);
            if (checkedMedia.Error is { } mediaError) return mediaError;
            attachment = checkedMedia.Value;
            if (_recent.TryGetValue((senderId, request.ClientMsgId), out earlier)) return await earlier;
        }

        var message = new ChatMessage(0, Id, ++_lastSeq, senderId, request.Kind, request.Text ?? "", attachment,
            request.ReplyToSeq, request.ClientMsgId, TruncateToMicroseconds(DateTime.UtcNow), null, false);
        var sending = Commit(message);
        Remember(senderId, request.ClientMsgId, sending);
        try
        {
            return await sending;
        }
        catch (Exception e)
        {
            _recent.Remove((senderId, request.ClientMsgId)); // let the client's retry try again
            // A message the database refused was certainly not stored: its seq goes to the next
            // message, unless a later send already took the one after it. After a lost connection
            // the row may have been stored, so that seq is never given again.
            if (_lastSeq == message.Seq && DatabaseRefusal.Caused(e)) _lastSeq--;
            throw;
        }
    }

    async Task<Result<ChatMessage>> Commit(ChatMessage message)
    {
        await RecordDirectMembers();
        var id = await log.Append(message);
        if (id is null)
        {
            // Stored before this activation's cache knew of it (a retry after a restart): answer with the original.
            var original = await log.FindByClientId(Id, message.SenderId, message.ClientMsgId);
            return original is null ? DomainError.Conflict("the message could not be stored; send it again") : Result<ChatMessage>.Success(original);
        }
        var committed = message with { Id = id.Value };
        metrics.Sent();
        await Publish(new MessageSent(committed), message.SenderId);
        AskBots(committed);
        return Result<ChatMessage>.Success(committed);
    }

    public async Task<Result<IReadOnlyList<ChatMessage>>> GetHistory(long callerId, HistoryQuery query)
    {
        if (!await IsMember(callerId)) return NotAllowed();
        if (query.Limit is < 1 or > MaxPageSize) return DomainError.Invalid($"limit must be 1-{MaxPageSize}");
        if (query.AfterSeq is not null && query.BeforeSeq is not null) return DomainError.Invalid("give afterSeq or beforeSeq, not both");
        if (query.AfterSeq is < 0 || query.BeforeSeq is < 1) return DomainError.Invalid("afterSeq must be >= 0 and beforeSeq >= 1");
        return Result<IReadOnlyList<ChatMessage>>.Success(await log.Page(Id, query));
    }

    public async Task<DomainError?> MarkRead(long userId, long seq)
    {
        if (!await IsMember(userId)) return NotAllowed();
        if (seq < 0) return DomainError.Invalid("seq must be >= 0");
        seq = Math.Min(seq, _lastSeq);
        if (_readSeqs.TryGetValue(userId, out var stored) && seq <= stored) return null;
        await RecordDirectMembers();
        var moved = await conversations.MarkRead(Id, userId, seq);
        _readSeqs[userId] = Math.Max(seq, _readSeqs.GetValueOrDefault(userId));
        if (moved && _direct is { } pair)
            await grains.ToUser(userId == pair.Lo ? pair.Hi : pair.Lo, new MessagesRead(Id, userId, seq));
        return null;
    }

    /// <summary>
    /// Per member, the read seq this activation knows is stored. A mark that does not move it
    /// forward writes nothing and tells nobody, so a client repeating one cannot turn reads into
    /// database writes and events for the other member: the writes a member can cause are bounded
    /// by the messages there are to read.
    /// </summary>
    readonly Dictionary<long, long> _readSeqs = [];

    public async Task<Result<ChatMessage>> Edit(long callerId, long seq, string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength) return DomainError.Invalid($"text must be 1-{MaxTextLength} characters");
        if (FreeText.CheckText("text", text) is { } textError) return textError;
        var own = await OwnMessage(callerId, seq, _editWindow, "edit");
        if (own.Error is { } error) return error;
        var editedAt = TruncateToMicroseconds(DateTime.UtcNow);
        await log.Edit(Id, seq, text, editedAt);
        var edited = own.Value! with { Text = text, EditedAt = editedAt };
        await Publish(new MessageUpdated(edited), callerId);
        return Result<ChatMessage>.Success(edited);
    }

    public async Task<DomainError?> Recall(long callerId, long seq)
    {
        var own = await OwnMessage(callerId, seq, _recallWindow, "recall");
        if (own.Error is { } error) return error;
        await log.Recall(Id, seq);
        await Publish(new MessageUpdated(own.Value! with { Text = "", Media = null, Recalled = true }), callerId);
        return null;
    }

    /// <summary>A message the caller sent, still within the window for the change they ask for.</summary>
    async Task<Result<ChatMessage>> OwnMessage(long callerId, long seq, TimeSpan window, string change)
    {
        if (!await IsMember(callerId)) return NotAllowed();
        if (seq < 1 || seq > _lastSeq || await log.Get(Id, seq) is not { } message) return DomainError.NotFound($"no message {seq} in this conversation");
        if (message.SenderId != callerId) return DomainError.Forbidden($"only the sender may {change} a message");
        if (message.Kind == "call") return DomainError.Forbidden($"a call message cannot be changed");
        if (message.Recalled) return DomainError.Conflict("the message was recalled");
        if (DateTime.UtcNow - message.SentAt > window) return DomainError.Forbidden($"messages can only be {(change == "edit" ? "edited" : "recalled")} within {window.TotalMinutes:0} minutes of sending");
        return Result<ChatMessage>.Success(message);
    }

    public async Task<DomainError?> Typing(long userId)
    {
        if (!await IsMember(userId)) return NotAllowed();
        var now = Environment.TickCount64;
        if (_typedAt.TryGetValue(userId, out var last) && now - last < TypingEveryMs) return null;
        _typedAt[userId] = now;
        await Publish(new UserTyping(Id, userId), userId, includeSender: false);
        return null;
    }

    /// <summary>
    /// One typing signal per member per second is passed on; more are answered and dropped (a
    /// typing indicator lasts seconds, the web client signals every 3 s), so a client cannot flood
    /// the other members with events.
    /// </summary>
    const long TypingEveryMs = 1000;
    readonly Dictionary<long, long> _typedAt = [];

    /// <summary>
    /// Direct: to each participant's user route. Group: once to the group's route. One-way calls:
    /// the caller (a send waiting for its acknowledgement) does not wait for delivery.
    /// </summary>
    Task Publish(ChatEvent chatEvent, long senderId, bool includeSender = true)
    {
        if (_groupId is { } groupId) return (_groupRoute ??= grains.Route(RouteKey.ForGroup(groupId))).Deliver(chatEvent);
        var (lo, hi) = _direct!.Value;
        if (includeSender || senderId != lo) _ = (_loRoute ??= grains.Route(RouteKey.ForUser(lo))).Deliver(chatEvent);
        if (includeSender || senderId != hi) _ = (_hiRoute ??= grains.Route(RouteKey.ForUser(hi))).Deliver(chatEvent);
        return Task.CompletedTask;
    }

    // Route references, made once: resolving a grain reference by string key costs more than the call.
    IChatRouteGrain? _groupRoute, _loRoute, _hiRoute;

    async Task RecordDirectMembers()
    {
        if (_directMembersRecorded || _direct is not { } pair) return;
        await conversations.AddMembers(Id, [(pair.Lo, pair.Hi), (pair.Hi, pair.Lo)], groupId: null);
        _directMembersRecorded = true;
    }

    bool? _bothExist;
    /// <summary>Members of this direct conversation who deleted their account: its history stays readable, nobody writes to them.</summary>
    readonly HashSet<long> _closedMembers = [];

    async Task<bool> BothUsersExist((long Lo, long Hi) pair) =>
        _bothExist ??= await AccountExists(pair.Lo) && await AccountExists(pair.Hi);

    /// <summary>A live account, or one its owner deleted (whose messages stay), noted in <see cref="_closedMembers"/>.</summary>
    async Task<bool> AccountExists(long userId)
    {
        var user = grains.GetGrain<IUserGrain>(userId);
        if (await user.GetProfile() is not null) return true;
        if (!await user.IsClosed()) return false;
        _closedMembers.Add(userId);
        return true;
    }

    public Task MemberClosed(long userId)
    {
        if (_direct is { } pair && (userId == pair.Lo || userId == pair.Hi)) _closedMembers.Add(userId);
        return Task.CompletedTask;
    }

    void Remember(long sender, string clientMsgId, Task<Result<ChatMessage>> result)
    {
        if (!_recent.TryAdd((sender, clientMsgId), result)) return;
        _recentOrder.Enqueue((sender, clientMsgId));
        while (_recentOrder.Count > RetryCacheSize) _recent.Remove(_recentOrder.Dequeue());
    }

    /// <summary>A message may carry media its sender uploaded, of the kind the message says.</summary>
    async Task<Result<MediaRef>> CheckMedia(long senderId, string kind, long mediaId)
    {
        if (await media.Get(mediaId) is not { } info || info.UploaderId != senderId)
            return DomainError.Invalid($"mediaId {mediaId} is not media you uploaded");
        var expected = kind switch { "image" => MediaKind.Image, "audio" => MediaKind.Audio, "video" => MediaKind.Video, _ => (MediaKind?)null };
        if (expected is { } k && info.Kind != k) return DomainError.Invalid($"mediaId {mediaId} is not {kind} (it is {info.Kind.ToString().ToLowerInvariant()})");
        return Result<MediaRef>.Success(new MediaRef(info.Id, info.ContentType, info.Size, info.Name));
    }

    static DomainError? Validate(SendMessage request)
    {
        if (string.IsNullOrEmpty(request.ClientMsgId) || request.ClientMsgId.Length > MaxClientMsgIdLength)
            return DomainError.Invalid($"clientMsgId is required (1-{MaxClientMsgIdLength} characters)");
        if (!MessageKinds.All.Contains(request.Kind) || request.Kind is "system" or "call")
            return DomainError.Invalid("kind must be text, image, audio, video or file");
        if (FreeText.CheckLine("clientMsgId", request.ClientMsgId) is { } idError) return idError;
        if (request.Text is { Length: > MaxTextLength }) return DomainError.Invalid($"text must be at most {MaxTextLength} characters");
        if (FreeText.CheckText("text", request.Text) is { } textError) return textError;
        if (request.Kind == "text" && string.IsNullOrWhiteSpace(request.Text)) return DomainError.Invalid("a text message needs text");
        if (request.Kind != "text" && request.MediaId is null) return DomainError.Invalid($"a {request.Kind} message needs a mediaId");
        return null;
    }

    static DomainError NotAllowed() => DomainError.Forbidden("you are not a member of this conversation");

    /// <summary>PostgreSQL keeps microseconds; the acknowledged message must equal the stored one.</summary>
    static DateTime TruncateToMicroseconds(DateTime time) => new(time.Ticks - time.Ticks % 10, DateTimeKind.Utc);
}
