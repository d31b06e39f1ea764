using Dapper;
using Npgsql;

namespace GoChat.Grains.Bots;

/// <summary>One bot's tokens on one UTC day (<see cref="Day"/> at midnight).</summary>
public sealed record BotUsageRow(long BotId, string Username, string DisplayName, DateTime Day, long PromptTokens, long CompletionTokens, int Replies);

/// <summary>The bots and bot_usage tables, and bot rows of the users table. Parameterised SQL only.</summary>
public sealed class BotStore(NpgsqlDataSource db)
{
    /// <summary>
    /// Creates the bot's user (or updates its display name and enables it) and returns its id; null
    /// when the name belongs to a person's account, which a bot never takes over.
    /// </summary>
    public async Task<long?> Register(string username, string displayName, string provider, string model)
    {
        await using var connection = await db.OpenConnectionAsync();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var existing = await connection.QuerySingleOrDefaultAsync<(long Id, bool IsBot)?>(
                "SELECT id, is_bot FROM users WHERE lower(username) = lower(@username)", new { username });
            if (existing is { IsBot: false }) return null;
            long? id = existing?.Id;
            if (id is null)
            {
                // No password: a bot never signs in (an empty hash matches no password).
                id = await connection.QuerySingleOrDefaultAsync<long?>("""
                    INSERT INTO users (username, display_name, password_hash, is_bot) VALUES (@username, @displayName, '', true)
                    ON CONFLICT DO NOTHING RETURNING id
                    """, new { username, displayName });
                if (id is null) continue; // another silo registered it at the same moment: read it again
            }
            await connection.ExecuteAsync("""
                UPDATE users SET display_name = @displayName, deleted_at = NULL, updated_at = now() WHERE id = @id AND display_name <> @displayName;
                INSERT INTO bots (user_id, enabled, provider, model) VALUES (@id, true, @provider, @model)
                ON CONFLICT (user_id) DO UPDATE SET enabled = true, provider = excluded.provider, model = excluded.model, updated_at = now();
                """, new { id, displayName, provider, model });
            return id;
        }
        return null;
    }

    /// <summary>Disables every bot not in <paramref name="configured"/> (removed from configuration); returns their ids.</summary>
    public async Task<IReadOnlyList<long>> DisableAllBut(IReadOnlyCollection<long> configured)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("""
            UPDATE bots SET enabled = false, updated_at = now() WHERE enabled AND NOT (user_id = ANY(@configured)) RETURNING user_id
            """, new { configured = configured.ToArray() })).ToList();
    }

    /// <summary>Adds one reply's tokens to the bot's count for <paramref name="day"/>.</summary>
    public async Task AddUsage(long botId, DateTime day, long promptTokens, long completionTokens)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO bot_usage (bot_id, day, prompt_tokens, completion_tokens, replies) VALUES (@botId, @day::date, @promptTokens, @completionTokens, 1)
            ON CONFLICT (bot_id, day) DO UPDATE SET prompt_tokens = bot_usage.prompt_tokens + excluded.prompt_tokens,
                completion_tokens = bot_usage.completion_tokens + excluded.completion_tokens, replies = bot_usage.replies + 1
            """, new { botId, day = Plain(day), promptTokens, completionTokens });
    }

    /// <summary>The tokens (prompt + completion) the bot used on <paramref name="day"/>.</summary>
    public async Task<long> TokensOn(long botId, DateTime day)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT prompt_tokens + completion_tokens FROM bot_usage WHERE bot_id = @botId AND day = @day::date", new { botId, day = Plain(day) }) ?? 0;
    }

    /// <summary>Every bot's usage from <paramref name="since"/> on, newest day first.</summary>
    public async Task<IReadOnlyList<BotUsageRow>> Usage(DateTime since)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<BotUsageRow>("""
            SELECT u.bot_id, users.username, users.display_name, u.day::timestamp AS day, u.prompt_tokens, u.completion_tokens, u.replies
            FROM bot_usage u JOIN users ON users.id = u.bot_id
            WHERE u.day >= @since::date ORDER BY u.day DESC, users.username
            """, new { since = Plain(since) })).ToList();
    }

    /// <summary>A day as a plain timestamp, so ::date never depends on the session's time zone.</summary>
    static DateTime Plain(DateTime day) => DateTime.SpecifyKind(day.Date, DateTimeKind.Unspecified);
}
