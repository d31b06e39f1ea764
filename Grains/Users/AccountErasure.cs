using GoChat.Grains.Chat;
using GoChat.Grains.Media;
using GoChat.Grains.Social;
using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Users;

/// <summary>
/// What deleting an account erases beyond its own row, for the user grain (the account's writer):
/// its group memberships (it leaves each group as a member leaving does), its contacts and follow
/// edges (everyone at the other end counts again). Every step can run again. Its messages are not
/// touched: they stay in their conversations. Its uploads are erased by the WebFront
/// (<see cref="MediaLibrary.EraseUnshared"/>), where the media files are.
/// </summary>
public sealed class AccountErasure(
    FollowStore follows, GroupStore groups, ConversationStore conversations, IGrainFactory grains, ILogger<AccountErasure> logger)
{
    const int RefreshFanOut = 64;

    /// <summary>While the account is still live, so a failure leaves it usable and the deletion can be asked again.</summary>
    public async Task EraseBelongings(long userId)
    {
        foreach (var groupId in await groups.GroupsOf(userId))
            await grains.GetGrain<IGroupGrain>(groupId).Remove(userId, userId);
        await RemoveFollowEdges(userId);
    }

    /// <summary>
    /// Once the account is closed: edges someone made during the deletion go too, and each direct
    /// conversation learns that nobody can write to this account any more.
    /// </summary>
    public async Task AfterClose(long userId)
    {
        await RemoveFollowEdges(userId);
        foreach (var conversationId in await conversations.ConversationIdsOf(userId, directOnly: true))
            await grains.GetGrain<IConversationGrain>(conversationId).MemberClosed(userId);
    }

    async Task RemoveFollowEdges(long userId)
    {
        foreach (var batch in (await follows.RemoveAll(userId)).Chunk(RefreshFanOut))
            await Task.WhenAll(batch.Select(other => CounterDelivery.Refresh(grains, other, logger)));
    }
}
