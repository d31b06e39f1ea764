using System.Diagnostics;
using GoChat.Grains.Chat;
using GoChat.Grains.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static GoChat.Grains.Calls.ParticipantStates;

namespace GoChat.Grains.Calls;

/// <summary>
/// One call. Key: the call id (made by the conversation's <see cref="IConversationCallsGrain"/>).
/// State, in memory (a call lives minutes, not days): the conversation, the media, the caller, each
/// participant with where they stand and the connection they are in the call with, the call's state
/// and the call message being posted.
/// Invariants: ringing -> accepted -> ended, and ended is final; the first accept turns ringing into
/// accepted, later ones join; a person is in the call on one connection at a time, and signals go
/// only between the connections of people in the call; at most MaxMeshParticipants are in it; the
/// call message is closed once, with the outcome. While the call is live the grain stays active, so
/// the ring timeout and the reconnect grace fire even when no client is left to ask.
/// Not reentrant: requests and timer ticks apply one at a time (reads marked AlwaysInterleave aside).
/// </summary>
internal sealed class CallGrain(IGrainFactory grains, IOptions<CallOptions> options, ILogger<CallGrain> logger) : Grain, ICallGrain
{
    readonly CallOptions _options = options.Value;

    /// <summary>One person the call concerns: the caller, a callee, or a member who joined.</summary>
    sealed class Participant(long userId, string state)
    {
        public readonly long UserId = userId;
        public string State = state;
        public CallConnection? Connection;
        public IGrainTimer? Grace;
        /// <summary>The signals this participant may still send now (see <see cref="SignalBurst"/>).</summary>
        public readonly TokenBucket Signals = new(SignalBurst, SignalsPerSecond);
    }

    /// <summary>A negotiation takes a few dozen signals (more per renegotiation or ICE restart): only a flood meets this.</summary>
    const double SignalBurst = 200, SignalsPerSecond = 20;

    static DomainError SignalsRefused(TimeSpan wait) => DomainError.RateLimited(
        $"rate limited: too many call signals (at most {SignalsPerSecond:0} a second after {SignalBurst:0}); try again in {Waits.Describe(wait)}", wait);

    CallStart? _start;
    string _state = CallStates.Ringing;
    string? _outcome;
    DateTime _startedAt;
    DateTime? _acceptedAt, _endedAt;
    readonly List<Participant> _participants = [];
    Task<Result<ChatMessage>>? _message;
    IGrainTimer? _ringTimer;
    int _version;

    Guid CallId => this.GetPrimaryKey();
    bool Live => _start is not null && _state != CallStates.Ended;
    int InCallCount => _participants.Count(p => InCall(p.State));

    public async Task<Result<CallView>> Start(CallStart start)
    {
        if (_start is not null) return Answer();
        if (await UserCalls(start.CallerId).Enter(CallId) is not null) return CallRefusals.Busy("you are already in another call; hang up first");
        _start = start;
        _startedAt = DateTime.UtcNow;
        _participants.Add(new Participant(start.CallerId, Joined) { Connection = start.Connection });
        DelayDeactivation(Timeout.InfiniteTimeSpan);

        var free = await Task.WhenAll(start.Invitees.Select(id => UserCalls(id).Ring(CallId)));
        for (var i = 0; i < free.Length; i++) _participants.Add(new Participant(start.Invitees[i], free[i] ? Ringing : Busy));
        _message = grains.GetGrain<IConversationCallLog>(start.ConversationId).PostCall(start.CallerId, Summary());
        _ringTimer = this.RegisterGrainTimer(OnRingTimeout, new GrainTimerCreationOptions(_options.RingTimeout, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        // The callees ring once the call's message is stored, and the caller is answered then. Sync
        // lists a call by its open message: a callee's device that connects while the ring goes out
        // either joined its user's group before (and hears the ring) or syncs after the commit (and
        // lists the call). Ringing before the commit let a device connecting in between miss both.
        try
        {
            await _message;
        }
        catch (Exception e)
        {
            CallLog.PostFailed(logger, e, CallId);
        }

        var view = PublishUpdate();
        foreach (var callee in _participants.Where(p => p.State == Ringing)) _ = grains.ToUser(callee.UserId, new CallRinging(view));
        CallLog.Started(logger, CallId, start.Media, start.CallerId, start.ConversationId, _participants.Count(p => p.State == Ringing));
        if (start.Invitees.Count > 0 && !_participants.Any(p => p.State == Ringing)) await End(CallOutcomes.Busy);
        return Answer();
    }

    public async Task<Result<CallView>> Accept(long userId, CallConnection connection)
    {
        if (!Live) return CallRefusals.CallOver();
        var participant = Find(userId);
        if (participant is not null && InCall(participant.State))
        {
            // The same device on a new connection, or any device while the old connection is gone: it takes its place.
            if (participant.State == Joined && participant.Connection!.DeviceId != connection.DeviceId)
                return CallRefusals.Busy("you are in this call on another device");
            participant.Grace?.Dispose();
            participant.Grace = null;
            participant.State = Joined;
            participant.Connection = connection;
            PublishUpdate();
            return Answer();
        }
        if (participant?.State != Ringing && !await grains.GetGrain<IConversationGrain>(_start!.ConversationId).IsMember(userId))
            return CallRefusals.NotAMember();
        if (InCallCount >= _options.MaxMeshParticipants) return CallRefusals.TooManyParticipants(_options.MaxMeshParticipants);
        if (await UserCalls(userId).Enter(CallId) is not null) return CallRefusals.Busy("you are in another call; hang up first");
        if (participant is null) _participants.Add(participant = new Participant(userId, Joined));
        participant.State = Joined;
        participant.Connection = connection;
        if (_state == CallStates.Ringing)
        {
            _state = CallStates.Accepted;
            _acceptedAt = DateTime.UtcNow;
        }
        CallLog.Joined(logger, CallId, userId);
        PublishUpdate();
        return Answer();
    }

    public async Task<Result<CallView>> Decline(long userId)
    {
        if (!Live) return CallRefusals.CallOver();
        var participant = Find(userId);
        if (participant is null) return CallRefusals.NotAParticipant("you were not called");
        if (InCall(participant.State)) return await Leave(userId);
        if (participant.State != Ringing) return Answer();
        participant.State = Declined;
        await UserCalls(userId).StopRinging(CallId);
        if (_state == CallStates.Ringing && !_participants.Any(p => p.State == Ringing))
            await End(_participants.Any(p => p.State == Declined) ? CallOutcomes.Declined : CallOutcomes.Busy);
        else
            PublishUpdate();
        return Answer();
    }

    public async Task<Result<CallView>> Leave(long userId)
    {
        if (!Live) return CallRefusals.CallOver();
        var participant = Find(userId);
        if (participant?.State == Ringing) return await Decline(userId);
        if (participant is null || !InCall(participant.State)) return CallRefusals.NotAParticipant("you are not in this call");
        await Drop(participant, lost: false);
        return Answer();
    }

    public Task<DomainError?> Relay(long fromUserId, string fromConnectionId, long toUserId, CallSignal signal)
    {
        if (!Live) return Task.FromResult<DomainError?>(CallRefusals.CallOver());
        if (Find(fromUserId) is not { State: Joined } from || from.Connection!.ConnectionId != fromConnectionId)
            return Task.FromResult<DomainError?>(CallRefusals.NotAParticipant("signals are sent from the connection you are in the call with"));
        if (toUserId == fromUserId || Find(toUserId) is not { } to || !InCall(to.State))
            return Task.FromResult<DomainError?>(CallRefusals.NotAParticipant($"user {toUserId} is not in this call"));
        if (signal.Problem() is { } problem) return Task.FromResult<DomainError?>(CallRefusals.Invalid(problem));
        var now = Stopwatch.GetTimestamp();
        if (!from.Signals.TryTake(1, now)) return Task.FromResult<DomainError?>(SignalsRefused(from.Signals.Until(1, now)));
        // A participant who is reconnecting misses it; the pair negotiates again once they are back.
        if (to.State == Joined) _ = grains.ToUser(toUserId, new CallSignalled(CallId, fromUserId, to.Connection!.ConnectionId, signal));
        return Task.FromResult<DomainError?>(null);
    }

    public Task ConnectionClosed(long userId, string connectionId)
    {
        if (!Live || Find(userId) is not { State: Joined } participant || participant.Connection!.ConnectionId != connectionId) return Task.CompletedTask;
        participant.State = Reconnecting;
        participant.Grace = this.RegisterGrainTimer(() => OnGraceOver(participant),
            new GrainTimerCreationOptions(_options.ReconnectGrace, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        CallLog.Reconnecting(logger, CallId, userId, _options.ReconnectGrace);
        PublishUpdate();
        return Task.CompletedTask;
    }

    public Task<CallView?> Get() => Task.FromResult(_start is null ? null : View());

    public Task<bool> Holds(long userId) => Task.FromResult(Live && Find(userId) is { } p && InCall(p.State));

    async Task OnGraceOver(Participant participant)
    {
        if (!Live || participant.State != Reconnecting) return;
        CallLog.Lost(logger, CallId, participant.UserId);
        await Drop(participant, lost: true);
    }

    async Task OnRingTimeout()
    {
        _ringTimer?.Dispose();
        _ringTimer = null;
        if (!Live) return;
        if (_state == CallStates.Ringing)
        {
            await End(CallOutcomes.Missed);
            return;
        }
        var unanswered = _participants.Where(p => p.State == Ringing).ToList();
        if (unanswered.Count == 0) return;
        foreach (var p in unanswered) p.State = Missed;
        await Task.WhenAll(unanswered.Select(p => UserCalls(p.UserId).StopRinging(CallId)));
        PublishUpdate();
    }

    /// <summary>Takes a participant out of the call (hung up, or gone past the grace); ends the call when it no longer holds two people.</summary>
    async Task Drop(Participant participant, bool lost)
    {
        participant.Grace?.Dispose();
        participant.Grace = null;
        participant.State = Left;
        await UserCalls(participant.UserId).Leave(CallId);
        if (_state == CallStates.Ringing && InCallCount == 0)
            await End(lost ? CallOutcomes.Failed : CallOutcomes.Cancelled);
        else if (_state == CallStates.Accepted && InCallCount < 2)
            await End(lost ? CallOutcomes.Failed : CallOutcomes.Completed);
        else
            PublishUpdate();
    }

    async Task End(string outcome)
    {
        _state = CallStates.Ended;
        _outcome = outcome;
        _endedAt = DateTime.UtcNow;
        _ringTimer?.Dispose();
        _ringTimer = null;
        var released = new List<Task>();
        foreach (var p in _participants)
        {
            p.Grace?.Dispose();
            p.Grace = null;
            if (InCall(p.State))
            {
                p.State = Left;
                released.Add(UserCalls(p.UserId).Leave(CallId));
            }
            else if (p.State == Ringing)
            {
                p.State = Missed;
                released.Add(UserCalls(p.UserId).StopRinging(CallId));
            }
        }
        await Task.WhenAll(released);
        PublishUpdate();
        _ = grains.GetGrain<IConversationCallsGrain>(_start!.ConversationId).Ended(CallId);
        var summary = Summary();
        CallLog.Ended(logger, CallId, outcome, summary.DurationSeconds ?? 0);
        try
        {
            if ((await _message!).Value is { } message)
                await grains.GetGrain<IConversationCallLog>(_start.ConversationId).CloseCall(message.Seq, summary);
        }
        catch (Exception e)
        {
            CallLog.CloseFailed(logger, e, CallId);
        }
        // Ended calls stay answerable ("call over") until idle collection takes them.
        DelayDeactivation(TimeSpan.Zero);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!Live) return;
        CallLog.EndedByShutdown(logger, CallId);
        await End(CallOutcomes.Failed);
    }

    /// <summary>
    /// Tells the members of the call's conversation how it stands now, as a new version: a direct
    /// call's updates go to both users' routes, a group call's to the group's route.
    /// </summary>
    CallView PublishUpdate()
    {
        _version++;
        var view = View();
        var conversationId = _start!.ConversationId;
        ConversationIds.TryParse(conversationId, out var direct, out var groupId);
        if (groupId is { } group)
        {
            _ = grains.ToGroup(group, new CallUpdated(view));
        }
        else if (direct is var (lo, hi))
        {
            _ = grains.ToUser(lo, new CallUpdated(view));
            _ = grains.ToUser(hi, new CallUpdated(view));
        }
        return view;
    }

    CallSummary Summary() => new(CallId, _start!.Media, _outcome,
        _acceptedAt is { } accepted && _endedAt is { } ended ? (int)Math.Round((ended - accepted).TotalSeconds) : null, _endedAt);

    CallView View() => new(CallId, _start!.ConversationId, _start.Media, _start.CallerId, _state, _outcome,
        _participants.Select(p => new CallParticipant(p.UserId, p.State)).ToList(), _startedAt, _acceptedAt, _endedAt, _version);

    Result<CallView> Answer() => Result<CallView>.Success(View());

    Participant? Find(long userId) => _participants.Find(p => p.UserId == userId);

    IUserCallsGrain UserCalls(long userId) => grains.GetGrain<IUserCallsGrain>(userId);
}
