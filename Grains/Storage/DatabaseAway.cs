using Npgsql;

namespace GoChat.Grains.Storage;

/// <summary>PostgreSQL refused or dropped a connection: a restart, a failover, a session ended by an administrator.</summary>
public static class DatabaseAway
{
    public static bool Caused(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is NpgsqlException { IsTransient: true } or PostgresException { SqlState: "57P01" or "57P02" or "57P03" }
                // The same, met by a grain call: on whichever silo it ran, it arrives translated (PortableGrainErrors).
                or DatabaseUnavailableException)
                return true;
        return false;
    }

    /// <summary>
    /// <see cref="Caused"/>, and if so empties the connection pool: the database ended its idle
    /// connections too, and each would fail one more request when next handed out.
    /// </summary>
    public static bool Noticed(Exception? e, NpgsqlDataSource db)
    {
        if (!Caused(e)) return false;
        db.Clear();
        return true;
    }
}
