using System.Buffers;
using System.Security.Cryptography;

namespace GoChat.Grains.Media;

/// <summary>A stored content file: its SHA-256 (lower-case hex, also its name) and its length.</summary>
public sealed record StoredFile(string Sha256, long Size);

/// <summary>The media directory could not be written: a fault of the server, not of the upload.</summary>
public sealed class MediaStorageException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The media directory, content addressed: each file is named by the SHA-256 of its bytes under
/// two levels of shard folders (<c>ab/cd/abcd…</c>), so identical uploads share one file and no
/// name a client chose ever reaches the file system. An upload is written under <c>tmp/</c> and
/// renamed into place only once complete and flushed: readers never see a partial file, and a
/// refused or failed upload leaves nothing behind.
/// <para>
/// With a <see cref="MediaContentTable"/> (GoChat:Media:Storage=database) every stored content is
/// also written to the database before the upload succeeds, and a content missing here (uploaded
/// through another node) is fetched from there into this directory on first read: the directory
/// becomes a per-node cache, and the database the one copy every node shares.
/// </para>
/// </summary>
public sealed class MediaFiles(string root, MediaContentTable? database = null)
{
    const int CopyBufferSize = 81920;
    const string TempFolder = "tmp";
    const string TempSuffix = ".part";

    public string Root { get; } = Path.GetFullPath(root);

    public string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException("not a lower-case hex SHA-256", nameof(sha256));
        return Path.Combine(Root, sha256[..2], sha256[2..4], sha256);
    }

    /// <summary>
    /// Stores <paramref name="header"/> followed by the rest of <paramref name="content"/>. Null,
    /// with nothing kept, as soon as the whole turns out longer than <paramref name="maxBytes"/>.
    /// Failures reading <paramref name="content"/> propagate unchanged; failures writing the
    /// directory are thrown as <see cref="MediaStorageException"/>.
    /// </summary>
    public async Task<StoredFile?> Store(ReadOnlyMemory<byte> header, Stream content, long maxBytes, CancellationToken ct)
    {
        var temp = Path.Combine(Root, TempFolder, Guid.NewGuid().ToString("N") + TempSuffix);
        var reading = false;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            if (header.Length > maxBytes) return null;
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = header.Length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                sha256.AppendData(header.Span);
                await file.WriteAsync(header, ct);
                while (true)
                {
                    reading = true;
                    var read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), ct);
                    reading = false;
                    if (read == 0) break;
                    size += read;
                    if (size > maxBytes) return null;
                    sha256.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                file.Flush(flushToDisk: true);
            }
            var hash = Convert.ToHexStringLower(sha256.GetHashAndReset());
            var target = PathOf(hash);
            if (!File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                // Overwriting is safe: a file that appeared meanwhile has the same bytes.
                File.Move(temp, target, overwrite: true);
            }
            if (database is not null) await database.Save(hash, target, ct);
            return new StoredFile(hash, size);
        }
        catch (IOException e) when (!reading)
        {
            throw new MediaStorageException($"could not write an upload into the media directory {Root}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            DeleteQuietly(temp); // already gone when it was moved into place
        }
    }

    /// <summary>
    /// The path of a content file, fetched from the database first when it is not here yet (and
    /// the storage is the database); null when neither holds it.
    /// </summary>
    public async Task<string?> Locate(string sha256, CancellationToken ct)
    {
        var target = PathOf(sha256);
        if (File.Exists(target) || database is null) return File.Exists(target) ? target : null;
        var temp = Path.Combine(Root, TempFolder, Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                if (!await database.CopyTo(sha256, file, ct)) return null;
                file.Flush(flushToDisk: true);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target, overwrite: true); // a copy fetched meanwhile by another request has the same bytes
            return target;
        }
        catch (IOException e)
        {
            throw new MediaStorageException($"could not write a content file fetched from the database into the media directory {Root}", e);
        }
        finally
        {
            DeleteQuietly(temp);
        }
    }

    /// <summary>Whether the content is stored where every node finds it: the database with database storage, else the directory.</summary>
    public async Task<bool> Holds(string sha256, CancellationToken ct) =>
        database is not null ? await database.Has(sha256, ct) : File.Exists(PathOf(sha256));

    /// <summary>Deletes a content file of this directory (with database storage: this node's cached copy).</summary>
    public void Delete(string sha256)
    {
        if (!DeleteQuietly(PathOf(sha256)) && File.Exists(PathOf(sha256)))
            throw new MediaStorageException($"could not delete a content file of the media directory {Root}", new IOException("the file is still there"));
    }

    /// <summary>Deletes uploads a crash interrupted (temporary files older than <paramref name="age"/>); returns how many.</summary>
    public int DeleteAbandonedUploads(TimeSpan age)
    {
        var folder = Path.Combine(Root, TempFolder);
        if (!Directory.Exists(folder)) return 0;
        var deleted = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*" + TempSuffix))
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc < age) continue;
            if (DeleteQuietly(file.FullName)) deleted++;
        }
        return deleted;
    }

    static bool DeleteQuietly(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
