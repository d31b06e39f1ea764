using GoChat.Grains.Chat;

namespace GoChat.Grains.Calls;

/// <summary>
/// The calls of one conversation. Key: the conversation id. State, in memory: the live call, if
/// any (kept active while there is one). Starting a call while one rings or runs joins that call
/// instead: two people calling each other at once get one call (glare), and a member who starts a
/// call in a group that is already in one joins it.
/// </summary>
internal sealed class ConversationCallsGrain(IGrainFactory grains) : Grain, IConversationCallsGrain
{
    /// <summary>A group call rings at most this many members; the others see it running and may join.</summary>
    public const int MaxRungMembers = 50;

    Guid? _live;

    string ConversationId => this.GetPrimaryKeyString();

    public async Task<Result<CallView>> Start(long userId, CallConnection connection, string media)
    {
        if (!CallMedia.IsValid(media)) return CallRefusals.Invalid("media must be \"audio\" or \"video\"");
        if (!ConversationIds.TryParse(ConversationId, out var direct, out var groupId)) return CallRefusals.NotAMember();
        if (!await grains.GetGrain<IConversationGrain>(ConversationId).IsMember(userId)) return CallRefusals.NotAMember();
        if (_live is { } live)
        {
            if (await grains.GetGrain<ICallGrain>(live).Get() is { Over: false }) return await grains.GetGrain<ICallGrain>(live).Accept(userId, connection);
            _live = null;
        }

        IReadOnlyList<long> invitees = direct is var (lo, hi)
            ? [userId == lo ? hi : lo]
            : (await grains.GetGrain<IGroupGrain>(groupId!.Value).GetMembers()).Select(m => m.UserId).Where(id => id != userId).Take(MaxRungMembers).ToList();
        var callId = Guid.NewGuid();
        var started = await grains.GetGrain<ICallGrain>(callId).Start(new CallStart(ConversationId, userId, connection, media, invitees));
        if (started.Value is { Over: false })
        {
            _live = callId;
            DelayDeactivation(Timeout.InfiniteTimeSpan);
        }
        return started;
    }

    public async Task CloseIfLost(long seq, Guid callId, string media)
    {
        if (await grains.GetGrain<ICallGrain>(callId).Get() is not null) return;
        if (_live == callId) _live = null;
        await grains.GetGrain<IConversationCallLog>(ConversationId).CloseCall(seq,
            new CallSummary(callId, CallMedia.IsValid(media) ? media : CallMedia.Audio, CallOutcomes.Failed, null, DateTime.UtcNow));
    }

    public Task Ended(Guid callId)
    {
        if (_live == callId)
        {
            _live = null;
            DelayDeactivation(TimeSpan.Zero);
        }
        return Task.CompletedTask;
    }
}
