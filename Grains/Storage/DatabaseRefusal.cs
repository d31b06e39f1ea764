using Npgsql;

namespace GoChat.Grains.Storage;

/// <summary>
/// PostgreSQL answered with an error of its own (a value it cannot store, a broken constraint), not
/// a lost connection. PostgreSQL reports an error only for a transaction it rolled back (an error in
/// a statement aborts its transaction; an error answering COMMIT means it rolled back), so nothing
/// the failed transaction wrote is stored, and writing it again cannot store anything twice.
/// </summary>
internal static class DatabaseRefusal
{
    public static bool Caused(Exception? e) => e is PostgresException && !DatabaseAway.Caused(e);
}
