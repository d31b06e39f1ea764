using Dapper;
using Npgsql;

namespace GoChat.Grains.Chat;

/// <summary>The groups and group_members tables.</summary>
public sealed class GroupStore(NpgsqlDataSource db)
{
    sealed record GroupRow(long Id, string Name, string Description, string IconUrl, long OwnerId, DateTime CreatedAt);

    public async Task<long> NextId()
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT nextval(pg_get_serial_sequence('groups', 'id'))");
    }

    /// <summary>Creates the group with its members (the owner first) in one transaction.</summary>
    public async Task Create(long id, string name, string description, string iconUrl, long ownerId, IReadOnlyList<long> memberIds)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO groups (id, name, description, icon_url, owner_id) VALUES (@id, @name, @description, @iconUrl, @ownerId)
            """, new { id, name, description, iconUrl, ownerId }, tx);
        await connection.ExecuteAsync("""
            INSERT INTO group_members (group_id, user_id, role)
            SELECT @id, u, CASE WHEN u = @ownerId THEN 1 ELSE 3 END FROM unnest(@users) AS u
            ON CONFLICT DO NOTHING
            """, new { id, ownerId, users = memberIds.Prepend(ownerId).Distinct().ToArray() }, tx);
        await connection.ExecuteAsync("""
            INSERT INTO conversation_members (user_id, conversation_id, group_id)
            SELECT u, @conversationId, @id FROM unnest(@users) AS u
            ON CONFLICT DO NOTHING
            """, new { id, conversationId = ConversationIds.Group(id), users = memberIds.Prepend(ownerId).Distinct().ToArray() }, tx);
        await tx.CommitAsync();
    }

    public async Task<(GroupInfo Info, List<GroupMember> Members)?> Load(long id)
    {
        await using var connection = await db.OpenConnectionAsync();
        var group = await connection.QuerySingleOrDefaultAsync<GroupRow>(
            "SELECT id, name, description, icon_url, owner_id, created_at FROM groups WHERE id = @id", new { id });
        if (group is null) return null;
        var members = (await connection.QueryAsync<(long UserId, short Role)>(
            "SELECT user_id, role FROM group_members WHERE group_id = @id ORDER BY joined_at, user_id", new { id }))
            .Select(m => new GroupMember(m.UserId, (GroupRole)m.Role)).ToList();
        return (new GroupInfo(group.Id, group.Name, group.Description, group.IconUrl, group.OwnerId, members.Count,
            DateTime.SpecifyKind(group.CreatedAt, DateTimeKind.Utc)), members);
    }

    /// <summary>Adds members (and their conversation rows) in one transaction.</summary>
    public async Task AddMembers(long id, IReadOnlyList<long> userIds)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO group_members (group_id, user_id, role) SELECT @id, u, 3 FROM unnest(@users) AS u ON CONFLICT DO NOTHING
            """, new { id, users = userIds.ToArray() }, tx);
        await connection.ExecuteAsync("""
            INSERT INTO conversation_members (user_id, conversation_id, group_id)
            SELECT u, @conversationId, @id FROM unnest(@users) AS u ON CONFLICT DO NOTHING
            """, new { id, conversationId = ConversationIds.Group(id), users = userIds.ToArray() }, tx);
        await tx.CommitAsync();
    }

    /// <summary>Removes a member; when the owner leaves, <paramref name="newOwnerId"/> takes over.</summary>
    public async Task RemoveMember(long id, long userId, long? newOwnerId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("DELETE FROM group_members WHERE group_id = @id AND user_id = @userId", new { id, userId }, tx);
        await connection.ExecuteAsync("DELETE FROM conversation_members WHERE user_id = @userId AND conversation_id = @conversationId",
            new { userId, conversationId = ConversationIds.Group(id) }, tx);
        if (newOwnerId is { } owner)
        {
            await connection.ExecuteAsync("UPDATE groups SET owner_id = @owner WHERE id = @id", new { id, owner }, tx);
            await connection.ExecuteAsync("UPDATE group_members SET role = 1 WHERE group_id = @id AND user_id = @owner", new { id, owner }, tx);
        }
        await tx.CommitAsync();
    }

    /// <summary>The ids of the groups a user belongs to.</summary>
    public async Task<IReadOnlyList<long>> GroupsOf(long userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("SELECT group_id FROM group_members WHERE user_id = @userId", new { userId })).ToList();
    }

    /// <summary>Groups whose name contains the text (case-insensitive), by name; none for text with a control character, which names never hold.</summary>
    public async Task<IReadOnlyList<long>> Search(string text, int limit)
    {
        if (FreeText.IsRefusedLine(text)) return [];
        var pattern = "%" + text.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<long>(
            "SELECT id FROM groups WHERE lower(name) LIKE @pattern ORDER BY lower(name), id LIMIT @limit", new { pattern, limit })).ToList();
    }
}
