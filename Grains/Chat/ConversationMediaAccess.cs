using Dapper;
using GoChat.Grains.Media;
using Npgsql;

namespace GoChat.Grains.Chat;

/// <summary>Media may be read by the members of any conversation it was sent in (and, always, by its uploader).</summary>
public sealed class ConversationMediaAccess(NpgsqlDataSource db) : IMediaAccessPolicy
{
    public async Task<bool> CanRead(long userId, MediaInfo media, CancellationToken ct = default)
    {
        if (media.UploaderId == userId) return true;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (
                SELECT 1 FROM messages m JOIN conversation_members cm ON cm.conversation_id = m.conversation_id
                WHERE m.media_id = @mediaId AND NOT m.recalled AND cm.user_id = @userId)
            """, new { mediaId = media.Id, userId }, cancellationToken: ct));
    }
}
