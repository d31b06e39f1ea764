using Dapper;
using Npgsql;

namespace GoChat.Grains.Chat;

/// <summary>
/// One row of a user's conversation list, before titles and previews are rendered. In a direct
/// conversation <c>PeerReadSeq</c> is how far the other user has read (for "Seen").
/// </summary>
public sealed record ConversationEntry(
    string ConversationId, long? PeerId, long? GroupId, long ReadSeq, long LastSeq, ChatMessage? LastMessage, long? PeerReadSeq = null);

/// <summary>
/// conversation_members: which conversations each user is in and how far they have read.
/// The last message comes from the message log through its primary key, so a new message
/// writes nothing here.
/// </summary>
public sealed class ConversationStore(NpgsqlDataSource db)
{
    public async Task AddMembers(string conversationId, IEnumerable<(long UserId, long? PeerId)> members, long? groupId)
    {
        var list = members.ToList();
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO conversation_members (user_id, conversation_id, peer_id, group_id)
            SELECT u, @conversationId, p, @groupId FROM unnest(@users, @peers) AS m(u, p)
            ON CONFLICT DO NOTHING
            """, new { conversationId, groupId, users = list.Select(m => m.UserId).ToArray(), peers = list.Select(m => m.PeerId).ToArray() });
    }

    public async Task RemoveMember(string conversationId, long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM conversation_members WHERE user_id = @userId AND conversation_id = @conversationId",
            new { userId, conversationId });
    }

    /// <summary>The ids of every conversation a user is in (unbounded: for an export, not for a page).</summary>
    public async Task<IReadOnlyList<string>> ConversationIdsOf(long userId, bool directOnly = false)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(
            "SELECT conversation_id FROM conversation_members WHERE user_id = @userId AND (NOT @directOnly OR peer_id IS NOT NULL) ORDER BY conversation_id",
            new { userId, directOnly })).ToList();
    }

    public async Task<bool> IsMember(string conversationId, long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM conversation_members WHERE user_id = @userId AND conversation_id = @conversationId)",
            new { userId, conversationId });
    }

    /// <summary>Moves a read position forward (never back).</summary>
    /// <summary>Moves a member's read seq forward to <paramref name="seq"/>; false when it was there already (nothing written).</summary>
    public async Task<bool> MarkRead(string conversationId, long userId, long seq)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync("""
            UPDATE conversation_members SET read_seq = @seq
            WHERE user_id = @userId AND conversation_id = @conversationId AND read_seq < @seq
            """, new { conversationId, userId, seq }) > 0;
    }

    /// <summary>A user's conversations, most recent activity first (conversations without messages by when they were joined).</summary>
    public Task<IReadOnlyList<ConversationEntry>> ListFor(long userId, int limit) => Query(userId, null, limit);

    public async Task<ConversationEntry?> Get(string conversationId, long userId) =>
        (await Query(userId, conversationId, 1)).SingleOrDefault();

    async Task<IReadOnlyList<ConversationEntry>> Query(long userId, string? only, int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync("""
            SELECT cm.conversation_id AS entry_conversation_id, cm.peer_id, cm.group_id, cm.read_seq, peer.read_seq AS peer_read_seq, last.*
            FROM conversation_members cm
            LEFT JOIN conversation_members peer ON peer.user_id = cm.peer_id AND peer.conversation_id = cm.conversation_id
            LEFT JOIN LATERAL (
                SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.kind, m.text, m.media_id, media.content_type AS media_content_type,
                       media.size AS media_size, media.name AS media_name, m.reply_to_seq, m.client_msg_id, m.sent_at, m.edited_at, m.recalled,
                       m.call::text AS call, m.status, m.notice
                FROM messages m LEFT JOIN media ON media.id = m.media_id
                WHERE m.conversation_id = cm.conversation_id ORDER BY m.seq DESC LIMIT 1
            ) last ON true
            WHERE cm.user_id = @userId AND (@only::text IS NULL OR cm.conversation_id = @only)
            ORDER BY coalesce(last.sent_at, cm.joined_at) DESC
            LIMIT @limit
            """, new { userId, only, limit });
        return rows.Select(r =>
        {
            ChatMessage? last = r.id is null ? null : new MessageLog.Row(
                (long)r.id, (string)r.conversation_id, (long)r.seq, (long)r.sender_id, (short)r.kind, (string)r.text, (long?)r.media_id,
                (string?)r.media_content_type, (long?)r.media_size, (string?)r.media_name, (long?)r.reply_to_seq, (string)r.client_msg_id,
                (DateTime)r.sent_at, (DateTime?)r.edited_at, (bool)r.recalled, (string?)r.call, (short)r.status, (string?)r.notice).ToMessage();
            return new ConversationEntry((string)r.entry_conversation_id, (long?)r.peer_id, (long?)r.group_id, (long)r.read_seq, last?.Seq ?? 0, last,
                (long?)r.peer_read_seq);
        }).ToList();
    }
}
