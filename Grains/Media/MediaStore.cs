using Dapper;
using Npgsql;

namespace GoChat.Grains.Media;

/// <summary>The media table: one row per upload, naming its content file by hash. Parameterised SQL only.</summary>
public sealed class MediaStore(NpgsqlDataSource db)
{
    // Aliased to the row's property names, so the mapping needs no Dapper-wide naming convention.
    const string Columns = "id, uploader_id AS uploaderid, sha256, content_type AS contenttype, kind, size, name, created_at AS createdat";

    /// <summary>
    /// Records an upload whose content is stored; null when, under the content's lock, the content
    /// turns out gone after all (<paramref name="stillStored"/>): the last other upload of the same
    /// bytes was erased (<see cref="ReleaseContent"/>) between storing and recording.
    /// </summary>
    public async Task<MediaInfo?> Insert(long uploaderId, StoredFile file, MediaFormat format, string name,
        Func<CancellationToken, Task<bool>> stillStored, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockContent(connection, tx, file.Sha256, ct);
        if (!await stillStored(ct)) return null;
        var row = await connection.QuerySingleAsync<MediaRow>(new CommandDefinition($"""
            INSERT INTO media (uploader_id, sha256, content_type, kind, size, name)
            VALUES (@uploaderId, @sha256, @contentType, @kind, @size, @name)
            RETURNING {Columns}
            """,
            new { uploaderId, sha256 = file.Sha256, contentType = format.ContentType, kind = KindName(format.Kind), size = file.Size, name },
            tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return row.ToInfo();
    }

    /// <summary>
    /// Deletes a user's uploads that no conversation shows (no message that is not recalled carries
    /// them) and no published video uses; returns the content hashes they named, each once.
    /// </summary>
    public async Task<IReadOnlyList<string>> DeleteUnshared(long uploaderId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition("""
            DELETE FROM media m WHERE m.uploader_id = @uploaderId
              AND NOT EXISTS (SELECT 1 FROM messages WHERE media_id = m.id AND NOT recalled)
              AND NOT EXISTS (SELECT 1 FROM videos WHERE video_media_id = m.id OR cover_media_id = m.id)
            RETURNING sha256
            """, new { uploaderId }, cancellationToken: ct))).Distinct().ToList();
    }

    /// <summary>Deleted accounts that still have uploads no conversation shows (their deletion could not erase them).</summary>
    public async Task<IReadOnlyList<long>> ClosedUploaders(CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT m.uploader_id FROM media m JOIN users u ON u.id = m.uploader_id
            WHERE u.deleted_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM messages WHERE media_id = m.id AND NOT recalled)
              AND NOT EXISTS (SELECT 1 FROM videos WHERE video_media_id = m.id OR cover_media_id = m.id)
            """, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Deletes a content (its database chunks here, its file through <paramref name="deleteFile"/>)
    /// unless an upload still names it, under the content's lock, which <see cref="Insert"/> takes
    /// too: an upload of the same bytes at that moment is either recorded first (and the content
    /// kept) or finds it gone and is refused. False when the content is kept.
    /// </summary>
    public async Task<bool> ReleaseContent(string sha256, Action deleteFile, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockContent(connection, tx, sha256, ct);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM media WHERE sha256 = @sha256)", new { sha256 }, tx, cancellationToken: ct)))
            return false;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM media_content WHERE sha256 = @sha256", new { sha256 }, tx, cancellationToken: ct));
        deleteFile();
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>One lock per content hash, held to the end of the transaction.</summary>
    static Task LockContent(NpgsqlConnection connection, NpgsqlTransaction tx, string sha256, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtextextended(@sha256, 0))", new { sha256 }, tx, cancellationToken: ct));

    public async Task<MediaInfo?> Get(long id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<MediaRow>(
            new CommandDefinition($"SELECT {Columns} FROM media WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToInfo();
    }

    static string KindName(MediaKind kind) => kind.ToString().ToLowerInvariant();

    sealed class MediaRow
    {
        public long Id { get; set; }
        public long UploaderId { get; set; }
        public string Sha256 { get; set; } = "";
        public string ContentType { get; set; } = "";
        public string Kind { get; set; } = "";
        public long Size { get; set; }
        public string Name { get; set; } = "";
        public DateTime CreatedAt { get; set; }

        public MediaInfo ToInfo() => new(Id, UploaderId, Sha256, ContentType, Enum.Parse<MediaKind>(Kind, ignoreCase: true), Size, Name, CreatedAt);
    }
}
