using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace GoChat.Grains.Chat;

/// <summary>
/// The messages table. Appends are group-committed: every append waiting while a batch is being
/// written goes into the next batch, written as one multi-row INSERT, and each caller's task
/// completes only after the transaction holding its row has committed. Under load, one commit
/// (one fsync) acknowledges many messages; with no load a batch is one message and adds no delay.
/// </summary>
public sealed class MessageLog : IAsyncDisposable
{
    const int MaxBatch = 512;
    static readonly Meter Meter = new("GoChat.Messages");
    static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("gochat.messages.commit_batch_size");

    readonly NpgsqlDataSource _db;
    readonly ILogger<MessageLog> _logger;
    readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _writer;

    /// <summary>Batches committed and messages in them since start (for the closing figures and the benchmark).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public long Appended => Interlocked.Read(ref _appended);
    public int LargestBatch => Volatile.Read(ref _largestBatch);
    long _batches;
    long _appended;
    int _largestBatch;

    public MessageLog(NpgsqlDataSource db, ILogger<MessageLog> logger)
    {
        _db = db;
        _logger = logger;
        _writer = Task.Run(WriteBatchesAsync);
    }

    sealed record PendingAppend(ChatMessage Message, TaskCompletionSource<long?> Committed);

    /// <summary>Appends a message (its Id is ignored); returns the stored id, or null when the
    /// conversation already holds this sender's clientMsgId or this seq.</summary>
    public Task<long?> Append(ChatMessage message)
    {
        var pending = new PendingAppend(message, new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("the message log is shutting down");
        return pending.Committed.Task;
    }

    async Task WriteBatchesAsync()
    {
        var batch = new List<PendingAppend>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count == 0) continue;
            try
            {
                var ids = await InsertAsync(batch);
                foreach (var pending in batch)
                    pending.Committed.SetResult(ids.TryGetValue((pending.Message.ConversationId, pending.Message.Seq), out var id) ? id : null);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _appended, batch.Count);
                if (batch.Count > _largestBatch) Volatile.Write(ref _largestBatch, batch.Count);
                BatchSizes.Record(batch.Count);
                _logger.LogDebug("Committed a batch of {Count} messages", batch.Count);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Committing a batch of {Count} messages failed", batch.Count);
                foreach (var pending in batch) pending.Committed.SetException(e);
            }
        }
    }

    async Task<Dictionary<(string, long), long>> InsertAsync(List<PendingAppend> batch)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO messages (conversation_id, seq, sender_id, kind, text, media_id, reply_to_seq, client_msg_id, sent_at)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::smallint[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::timestamptz[])
            ON CONFLICT DO NOTHING
            RETURNING conversation_id, seq, id
            """, connection);
        var messages = batch.Select(p => p.Message).ToArray();
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ConversationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Seq).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.SenderId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => MessageKinds.ToCode(m.Kind)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Text).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.Media?.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ReplyToSeq).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.ClientMsgId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = messages.Select(m => m.SentAt).ToArray() });
        var ids = new Dictionary<(string, long), long>(batch.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
        return ids;
    }

    /// <summary>A message row with its media (if any): FROM messages m LEFT JOIN media.</summary>
    internal const string Select = """
        SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.kind, m.text, m.media_id, media.content_type AS media_content_type,
               media.size AS media_size, media.name AS media_name, m.reply_to_seq, m.client_msg_id, m.sent_at, m.edited_at, m.recalled
        FROM messages m LEFT JOIN media ON media.id = m.media_id
        """;

    internal sealed record Row(long Id, string ConversationId, long Seq, long SenderId, short Kind, string Text, long? MediaId,
        string? MediaContentType, long? MediaSize, string? MediaName, long? ReplyToSeq, string ClientMsgId, DateTime SentAt, DateTime? EditedAt, bool Recalled)
    {
        public ChatMessage ToMessage() => new(Id, ConversationId, Seq, SenderId, MessageKinds.FromCode(Kind),
            Recalled ? "" : Text,
            Recalled || MediaId is null ? null : new MediaRef(MediaId.Value, MediaContentType ?? "", MediaSize ?? 0, MediaName ?? ""),
            ReplyToSeq, ClientMsgId,
            DateTime.SpecifyKind(SentAt, DateTimeKind.Utc), EditedAt is { } e ? DateTime.SpecifyKind(e, DateTimeKind.Utc) : null, Recalled);
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

    public async Task<ChatMessage?> FindByClientId(string conversationId, long senderId, string clientMsgId)
    {
        await using var connection = await _db.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"""
            {Select} WHERE m.conversation_id = @conversationId AND m.sender_id = @senderId AND m.client_msg_id = @clientMsgId
            """, new { conversationId, senderId, clientMsgId });
        return row?.ToMessage();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        if (Batches > 0)
            _logger.LogInformation("Message log: {Messages} messages committed in {Batches} batches (mean {Mean:0.0}, largest {Largest})",
                Appended, Batches, (double)Appended / Batches, LargestBatch);
    }
}
