using GoChat.Grains.Calls;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Grains.Chat;

/// <summary>
/// The conversation's call messages (<see cref="IConversationCallLog"/>): posted through the same
/// seq assignment and group commit as every other message, from the caller; updated in place when
/// the call ends. Members cannot send, edit or recall them.
/// </summary>
public sealed partial class ConversationGrain : IConversationCallLog
{
    CallStore CallStore => _callStore ??= ServiceProvider.GetRequiredService<CallStore>();
    CallStore? _callStore;

    public async Task<Result<ChatMessage>> PostCall(long callerId, CallSummary call)
    {
        var clientMsgId = "call:" + call.CallId.ToString("N");
        if (_recent.TryGetValue((callerId, clientMsgId), out var earlier)) return await earlier;
        if (!await IsMember(callerId)) return CallRefusals.NotAMember();
        if (_recent.TryGetValue((callerId, clientMsgId), out earlier)) return await earlier;
        var message = new ChatMessage(0, Id, ++_lastSeq, callerId, "call", call.Describe(), null, null, clientMsgId,
            TruncateToMicroseconds(DateTime.UtcNow), null, false, call);
        var posting = Commit(message);
        Remember(callerId, clientMsgId, posting);
        try
        {
            return await posting;
        }
        catch
        {
            _recent.Remove((callerId, clientMsgId));
            throw;
        }
    }

    public async Task CloseCall(long seq, CallSummary call)
    {
        await CallStore.Close(Id, seq, call);
        if (await log.Get(Id, seq) is { Kind: "call" } closed) await Publish(new MessageUpdated(closed), closed.SenderId);
    }
}
