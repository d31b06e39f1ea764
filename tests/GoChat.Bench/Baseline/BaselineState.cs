using System.Collections.Concurrent;

namespace GoChat.Bench.Baseline;

/// <summary>All the baseline remembers, in memory: users, groups and the next seq per conversation.</summary>
public sealed class BaselineState
{
    long _lastUserId;
    long _lastGroupId;
    long _lastMessageId;
    readonly ConcurrentDictionary<string, long> _lastSeq = new();
    readonly ConcurrentDictionary<long, ConcurrentBag<long>> _groupsOfUser = new();

    public long NewUser() => Interlocked.Increment(ref _lastUserId);

    public long NewGroup(IEnumerable<long> members)
    {
        var id = Interlocked.Increment(ref _lastGroupId);
        foreach (var user in members.Distinct()) _groupsOfUser.GetOrAdd(user, _ => []).Add(id);
        return id;
    }

    public IEnumerable<long> GroupsOf(long userId) => _groupsOfUser.TryGetValue(userId, out var groups) ? groups : [];

    public (long Id, long Seq) NextMessage(string conversationId) =>
        (Interlocked.Increment(ref _lastMessageId), _lastSeq.AddOrUpdate(conversationId, 1, (_, seq) => seq + 1));
}
