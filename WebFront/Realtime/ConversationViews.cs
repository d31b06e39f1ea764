using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Apis;
using GoChat.WebFront.Calls;

namespace GoChat.WebFront.Realtime;

/// <summary>Renders a user's conversation entries with titles (peer name or group name), unread counts and any live call.</summary>
internal sealed class ConversationViews(ConversationStore store, IGrainFactory grains, UserViews users, LiveCalls calls)
{
    public const int MaxListed = 500;

    public async Task<IReadOnlyList<ConversationDto>> ListFor(long userId, int limit = MaxListed)
    {
        var entries = await store.ListFor(userId, limit);
        var live = await calls.In(entries.Select(e => e.ConversationId).ToList());
        return await Task.WhenAll(entries.Select(e => Render(e, live)));
    }

    public async Task<ConversationDto?> Get(string conversationId, long userId) =>
        await store.Get(conversationId, userId) is { } entry ? await Render(entry, await calls.In([conversationId])) : null;

    async Task<ConversationDto> Render(ConversationEntry e, IReadOnlyDictionary<string, CallDto> live) =>
        await RenderEntry(e) with { Call = live.GetValueOrDefault(e.ConversationId) };

    async Task<ConversationDto> RenderEntry(ConversationEntry e)
    {
        var last = e.LastMessage is null ? null : MessageDto.From(e.LastMessage);
        var unread = Math.Max(0, e.LastSeq - e.ReadSeq);
        if (e.GroupId is { } groupId)
        {
            var info = await grains.GetGrain<IGroupGrain>(groupId).GetInfo();
            return new ConversationDto(e.ConversationId, "group", info?.Name ?? "", null, groupId, last, e.LastSeq, e.ReadSeq, unread);
        }
        // A peer who deleted their account is "Deleted user": the conversation and its history stay.
        var peer = e.PeerId is { } peerId ? await users.RenderById(peerId) : null;
        return new ConversationDto(e.ConversationId, "direct", peer?.DisplayName ?? UserProfile.DeletedName,
            peer, null, last, e.LastSeq, e.ReadSeq, unread, e.PeerReadSeq ?? 0);
    }
}
