using Npgsql;
using NpgsqlTypes;

namespace GoChat.Grains.Media;

/// <summary>
/// The bytes of media content in PostgreSQL (table media_content, 1 MiB chunks), for
/// GoChat:Media:Storage=database: the database holds every content, and each node's media
/// directory is a cache of what it served, filled on first read. Uploads are not a hot path: a
/// chunk is one array.
/// </summary>
public sealed class MediaContentTable(NpgsqlDataSource db)
{
    public const int ChunkSize = 1024 * 1024;

    /// <summary>Copies the content file at <paramref name="path"/> into the table, unless it is there already; all chunks in one transaction.</summary>
    public async Task Save(string sha256, string path, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM media_content WHERE sha256 = $1 AND chunk = 0)", connection, tx))
        {
            exists.Parameters.AddWithValue(sha256);
            if ((bool)(await exists.ExecuteScalarAsync(ct))!) return;
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO media_content (sha256, chunk, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", connection, tx);
        var chunkNumber = new NpgsqlParameter<int>();
        var data = new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea };
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sha256 });
        insert.Parameters.Add(chunkNumber);
        insert.Parameters.Add(data);
        for (var chunk = 0; ; chunk++)
        {
            var remaining = file.Length - file.Position;
            if (remaining == 0 && chunk > 0) break;
            var bytes = new byte[Math.Min(remaining, ChunkSize)];
            await file.ReadExactlyAsync(bytes, ct);
            chunkNumber.TypedValue = chunk;
            data.TypedValue = bytes;
            await insert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<bool> Has(string sha256, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM media_content WHERE sha256 = $1 AND chunk = 0)", connection);
        exists.Parameters.AddWithValue(sha256);
        return (bool)(await exists.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Writes the content's bytes to <paramref name="target"/>; false (nothing written) when the table does not hold it.</summary>
    public async Task<bool> CopyTo(string sha256, Stream target, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("SELECT data FROM media_content WHERE sha256 = $1 ORDER BY chunk", connection);
        select.Parameters.AddWithValue(sha256);
        await using var reader = await select.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        var any = false;
        while (await reader.ReadAsync(ct))
        {
            any = true;
            await using var chunk = await reader.GetStreamAsync(0, ct);
            await chunk.CopyToAsync(target, ct);
        }
        return any;
    }
}
