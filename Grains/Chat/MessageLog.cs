using Dapper;
using GoChat.Grains.Calls;
using Microsoft.Extensions.Logging;
using GoChat.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace GoChat.Grains.Chat;

/// <summary>
/// The messages table. Appends are group-committed (<see cref="CommitBatcher{TItem,TResult}"/>):
/// concurrent appends are written as one multi-row INSERT in one transaction, and each caller is
/// answered only after the transaction holding its row has committed. A row PostgreSQL refuses
/// fails only its own append; the others are committed without it.
/// </summary>
public sealed class MessageLog : IAsyncDisposable
{
    const int MaxBatch = 512;

    readonly NpgsqlDataSource _db;
    readonly CommitBatcher<ChatMessage, long?> _appends;

    public MessageLog(NpgsqlDataSource db, ILogger<MessageLog> logger)
    {
        _db = db;
        _appends = new CommitBatcher<ChatMessage, long?>("message log", MaxBatch, db, Insert, logger, idempotent: true);
    }

    /// <summary>Appends a message (its Id is ignored); returns the stored id, or null when the
    /// conversation already holds this sender's clientMsgId or this seq.</summary>
    public Task<long?> Append(ChatMessage message) => _appends.Enqueue(message);

    /// <summary>
    /// Runs on the batcher's writer thread, which does synchronous I/O (see <see cref="CommitBatcher{TItem,TResult}"/>).
    /// Idempotent: a row already stored is skipped (ON CONFLICT) and its caller looks up the original.
    /// </summary>
    static IReadOnlyList<long?> Insert(NpgsqlConnection connection, IReadOnlyList<ChatMessage> messages)
    {
        using var command = new NpgsqlCommand("""
            INSERT INTO messages (conversation_id, seq, sender_id, kind, text, media_id, reply_to_seq, client_msg_id, sent_at, call, status)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::smallint[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::timestamptz[], $10::jsonb[], $11::smallint[])
            ON CONFLICT DO NOTHING
            RETURNING conversation_id, seq, id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ConversationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Seq).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.SenderId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => MessageKinds.ToCode(m.Kind)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Text).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Media?.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ReplyToSeq).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ClientMsgId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.SentAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => CallColumn.Write(m.Call)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => (short)m.Status).ToArray() });
        var ids = new Dictionary<(string, long), long>(messages.Count);
        using (var reader = command.ExecuteReader())
            while (reader.Read()) ids[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
        // Rows ON CONFLICT DO NOTHING skipped have no id: that sender's clientMsgId (or the seq) was already stored.
        return messages.Select(m => ids.TryGetValue((m.ConversationId, m.Seq), out var id) ? id : (long?)null).ToList();
    }

    /// <summary>A message row with its media (if any): FROM messages m LEFT JOIN media.</summary>
    internal const string Select = """
        SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.kind, m.text, m.media_id, media.content_type AS media_content_type,
               media.size AS media_size, media.name AS media_name, m.reply_to_seq, m.client_msg_id, m.sent_at, m.edited_at, m.recalled, m.call,
               m.status, m.notice
        FROM messages m LEFT JOIN media ON media.id = m.media_id
        """;

    internal sealed record Row(long Id, string ConversationId, long Seq, long SenderId, short Kind, string Text, long? MediaId,
        string? MediaContentType, long? MediaSize, string? MediaName, long? ReplyToSeq, string ClientMsgId, DateTime SentAt, DateTime? EditedAt, bool Recalled,
        string? Call, short Status, string? Notice)
    {
        public ChatMessage ToMessage() => new(Id, ConversationId, Seq, SenderId, MessageKinds.FromCode(Kind),
            Recalled ? "" : Text,
            Recalled || MediaId is null ? null : new MediaRef(MediaId.Value, MediaContentType ?? "", MediaSize ?? 0, MediaName ?? ""),
            ReplyToSeq, ClientMsgId,
            DateTime.SpecifyKind(SentAt, DateTimeKind.Utc), EditedAt is { } e ? DateTime.SpecifyKind(e, DateTimeKind.Utc) : null, Recalled,
            CallColumn.Read(Call), (MessageStatus)Status, Notice);
    }

    public async Task<long> LastSeq(string conversationId)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT max(seq) FROM messages WHERE conversation_id = @conversationId", new { conversationId }) ?? 0;
    }

    /// <summary>The newest messages of a conversation, oldest first (to seed the retry cache).</summary>
    public Task<IReadOnlyList<ChatMessage>> Recent(string conversationId, int count) =>
        Page(conversationId, new HistoryQuery(null, null, count));

    /// <summary>One page by keyset on (conversation_id, seq): never OFFSET. Ascending by seq.</summary>
    public async Task<IReadOnlyList<ChatMessage>> Page(string conversationId, HistoryQuery query)
    {
        await using var connection = await _db.OpenConnectionAsync();
        IEnumerable<Row> rows;
        if (query.AfterSeq is { } after)
            rows = await connection.QueryAsync<Row>($"""
                {Select} WHERE m.conversation_id = @conversationId AND m.seq > @after
                ORDER BY m.seq LIMIT @limit
                """, new { conversationId, after, limit = query.Limit });
        else
            rows = (await connection.QueryAsync<Row>($"""
                {Select} WHERE m.conversation_id = @conversationId AND m.seq < @before
                ORDER BY m.seq DESC LIMIT @limit
                """, new { conversationId, before = query.BeforeSeq ?? long.MaxValue, limit = query.Limit })).Reverse();
        return rows.Select(r => r.ToMessage()).ToList();
    }

    /// <summary>
    /// One sender's messages of a conversation after a seq, ascending (an export). Walks the primary
    /// key, filtering by sender: no index of its own, as this is rare and must cost sends nothing.
    /// </summary>
    public async Task<IReadOnlyList<ChatMessage>> SentBy(string conversationId, long senderId, long afterSeq, int limit)
    {
        await using var connection = await _db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<Row>($"""
            {Select} WHERE m.conversation_id = @conversationId AND m.seq > @afterSeq AND m.sender_id = @senderId
            ORDER BY m.seq LIMIT @limit
            """, new { conversationId, senderId, afterSeq, limit });
        return rows.Select(r => r.ToMessage()).ToList();
    }

    public async Task<ChatMessage?> Get(string conversationId, long seq)
    {
        await using var connection = await _db.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"{Select} WHERE m.conversation_id = @conversationId AND m.seq = @seq",
            new { conversationId, seq });
        return row?.ToMessage();
    }

    /// <summary>Replaces a message's text (an edit).</summary>
    public async Task Edit(string conversationId, long seq, string text, DateTime editedAt)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE messages SET text = @text, edited_at = @editedAt WHERE conversation_id = @conversationId AND seq = @seq AND NOT recalled
            """, new { conversationId, seq, text, editedAt });
    }

    /// <summary>Recalls a message: its text is erased from the log, and its media stops being shown or shared.</summary>
    public async Task Recall(string conversationId, long seq)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE messages SET recalled = true, text = '' WHERE conversation_id = @conversationId AND seq = @seq
            """, new { conversationId, seq });
    }

    /// <summary>
    /// Finishes a streaming reply of <paramref name="senderId"/>: its final text and status, written
    /// once (a reply no longer streaming is left alone). Returns the finished message, or null.
    /// </summary>
    public async Task<ChatMessage?> FinishReply(string conversationId, long seq, long senderId, string text, MessageStatus status, string? notice)
    {
        await using var connection = await _db.OpenConnectionAsync();
        // One statement on one connection: many replies finish at once, and a second connection
        // held per reply could exhaust the pool with each waiting for another.
        var row = await connection.QuerySingleOrDefaultAsync<Row>("""
            WITH m AS (
                UPDATE messages SET text = @text, status = @status, notice = @notice
                WHERE conversation_id = @conversationId AND seq = @seq AND sender_id = @senderId AND status = 1
                RETURNING *)
            SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.kind, m.text, m.media_id, media.content_type AS media_content_type,
                   media.size AS media_size, media.name AS media_name, m.reply_to_seq, m.client_msg_id, m.sent_at, m.edited_at, m.recalled,
                   m.call, m.status, m.notice
            FROM m LEFT JOIN media ON media.id = m.media_id
            """, new { conversationId, seq, senderId, text, status = (short)status, notice });
        return row?.ToMessage();
    }

    /// <summary>The seqs of a sender's replies still marked streaming in a conversation (a partial index keeps this small).</summary>
    public async Task<IReadOnlyList<long>> StreamingReplies(string conversationId, long senderId)
    {
        await using var connection = await _db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("""
            SELECT seq FROM messages WHERE conversation_id = @conversationId AND sender_id = @senderId AND status = 1 ORDER BY seq
            """, new { conversationId, senderId })).ToList();
    }

    public async Task<ChatMessage?> FindByClientId(string conversationId, long senderId, string clientMsgId)
    {
        await using var connection = await _db.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"""
            {Select} WHERE m.conversation_id = @conversationId AND m.sender_id = @senderId AND m.client_msg_id = @clientMsgId
            """, new { conversationId, senderId, clientMsgId });
        return row?.ToMessage();
    }

    public ValueTask DisposeAsync() => _appends.DisposeAsync();
}
