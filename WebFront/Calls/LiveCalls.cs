using GoChat.Grains.Calls;

namespace GoChat.WebFront.Calls;

/// <summary>
/// The calls still ringing or running in a user's conversations, for Sync and the conversation
/// list: the open call messages (one indexed query), each confirmed by its call grain. A call whose
/// grain no longer knows it (lost with its silo) is left out, and its message is closed as failed.
/// </summary>
internal sealed class LiveCalls(CallStore store, IGrainFactory grains, ILogger<LiveCalls> logger)
{
    public async Task<IReadOnlyDictionary<string, CallDto>> In(IReadOnlyCollection<string> conversationIds)
    {
        var open = await store.OpenIn(conversationIds);
        if (open.Count == 0) return new Dictionary<string, CallDto>();
        var views = await Task.WhenAll(open.Select(Confirm));
        return views.OfType<CallView>().GroupBy(v => v.ConversationId)
            .ToDictionary(g => g.Key, g => CallDto.From(g.OrderByDescending(v => v.StartedAt).First()));
    }

    async Task<CallView?> Confirm(OpenCall call)
    {
        try
        {
            var view = await grains.GetGrain<ICallGrain>(call.CallId).Get();
            if (view is null) await grains.GetGrain<IConversationCallsGrain>(call.ConversationId).CloseIfLost(call.Seq, call.CallId, call.Media);
            return view is { Over: false } ? view : null;
        }
        catch (Exception e)
        {
            CallsLog.LiveCallLookupFailed(logger, e, call.CallId);
            return null;
        }
    }
}
