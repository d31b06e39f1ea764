using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace GoChat.Grains.Calls;

/// <summary>A call that has not ended, as its message records it.</summary>
public sealed record OpenCall(string ConversationId, long Seq, Guid CallId, string Media);

/// <summary>
/// Call messages in the messages table (posted through the message log like any other message):
/// closing one when its call ends, and finding the calls still open in some conversations.
/// </summary>
public sealed class CallStore(NpgsqlDataSource db)
{
    /// <summary>Writes how the call ended onto its message (text and call column), unless it was closed already.</summary>
    public async Task Close(string conversationId, long seq, CallSummary call)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            UPDATE messages SET text = @text, call = @call
            WHERE conversation_id = @conversationId AND seq = @seq AND kind = 7
            """, new { conversationId, seq, text = call.Describe(), call = new JsonbParameter(CallColumn.Write(call)!) });
    }

    /// <summary>The calls whose messages say they still ring or run, in the given conversations (messages_open_calls index).</summary>
    public async Task<IReadOnlyList<OpenCall>> OpenIn(IReadOnlyCollection<string> conversationIds)
    {
        if (conversationIds.Count == 0) return [];
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string ConversationId, long Seq, string CallId, string Media)>("""
            SELECT conversation_id, seq, call ->> 'callId', call ->> 'media' FROM messages
            WHERE kind = 7 AND (call ->> 'outcome') IS NULL AND conversation_id = ANY(@conversationIds)
            """, new { conversationIds = conversationIds.ToArray() });
        return rows.Select(r => new OpenCall(r.ConversationId, r.Seq, Guid.Parse(r.CallId), r.Media)).ToList();
    }

    /// <summary>Dapper has no jsonb type of its own: the value goes as a jsonb parameter.</summary>
    sealed class JsonbParameter(string json) : SqlMapper.ICustomQueryParameter
    {
        public void AddParameter(System.Data.IDbCommand command, string name) =>
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json });
    }
}
