using Dapper;
using Npgsql;

namespace GoChat.Grains.Media;

/// <summary>The media table: one row per upload, naming its content file by hash. Parameterised SQL only.</summary>
public sealed class MediaStore(NpgsqlDataSource db)
{
    // Aliased to the row's property names, so the mapping needs no Dapper-wide naming convention.
    const string Columns = "id, uploader_id AS uploaderid, sha256, content_type AS contenttype, kind, size, name, created_at AS createdat";

    public async Task<MediaInfo> Insert(long uploaderId, StoredFile file, MediaFormat format, string name, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleAsync<MediaRow>(new CommandDefinition($"""
            INSERT INTO media (uploader_id, sha256, content_type, kind, size, name)
            VALUES (@uploaderId, @sha256, @contentType, @kind, @size, @name)
            RETURNING {Columns}
            """,
            new { uploaderId, sha256 = file.Sha256, contentType = format.ContentType, kind = KindName(format.Kind), size = file.Size, name },
            cancellationToken: ct));
        return row.ToInfo();
    }

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
