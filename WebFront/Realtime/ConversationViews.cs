using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Apis;

namespace GoChat.WebFront.Realtime;

/// <summary>Renders a user's conversation entries with titles (peer name or group name) and unread counts.</summary>
internal sealed class ConversationViews(ConversationStore store, IGrainFactory grains, UserViews users)
{
    public const int MaxListed = 500;

    public async Task<IReadOnlyList<ConversationDto>> ListFor(long userId, int limit = MaxListed)
    {
        var entries = await store.ListFor(userId, limit);
        return await Task.WhenAll(entries.Select(Render));
    }

    public async Task<ConversationDto?> Get(string conversationId, long userId) =>
        await store.Get(conversationId, userId) is { } entry ? await Render(entry) : null;

    async Task<ConversationDto> Render(ConversationEntry e)
    {
        var last = e.LastMessage is null ? null : MessageDto.From(e.LastMessage);
        var unread = Math.Max(0, e.LastSeq - e.ReadSeq);
        if (e.GroupId is { } groupId)
        {
            var info = await grains.GetGrain<IGroupGrain>(groupId).GetInfo();
            return new ConversationDto(e.ConversationId, "group", info?.Name ?? "", null, groupId, last, e.LastSeq, e.ReadSeq, unread);
        }
        var peer = e.PeerId is { } peerId ? await grains.GetGrain<IUserGrain>(peerId).GetProfile() : null;
        return new ConversationDto(e.ConversationId, "direct", peer?.DisplayName ?? "(closed account)",
            peer is null ? null : await users.Render(peer), null, last, e.LastSeq, e.ReadSeq, unread, e.PeerReadSeq ?? 0);
    }
}
