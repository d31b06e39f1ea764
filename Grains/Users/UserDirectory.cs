using Dapper;
using Npgsql;

namespace GoChat.Grains.Users;

/// <summary>One row of the users table, credentials included: it never leaves the grains.</summary>
public sealed class UserRow
{
    public long Id { get; set; }
    public string Username { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public string AvatarUrl { get; set; } = "";
    public string Signature { get; set; } = "";
    public string Phone { get; set; } = "";
    public string Email { get; set; } = "";
    public bool IsBot { get; set; }
    public bool IsAdmin { get; set; }
    public int TokenVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LoginAt { get; set; }
    public DateTime? LogoutAt { get; set; }
    public string ClientIp { get; set; } = "";
    public string DeviceInfo { get; set; } = "";
    public DateTime? DeletedAt { get; set; }
    public DateTime? DisabledAt { get; set; }
    public bool MustChangePassword { get; set; }

    public UserRow Copy() => (UserRow)MemberwiseClone();

    public UserProfile ToProfile() => new(
        Id, Username, DisplayName, AvatarUrl, Signature, Phone, Email, IsBot, IsAdmin,
        CreatedAt, UpdatedAt, LoginAt, LogoutAt, ClientIp, DeviceInfo, DisabledAt is not null, MustChangePassword);
}

/// <summary>The users table. Parameterised SQL only; names compare lower-cased through the unique index.</summary>
public sealed class UserDirectory(NpgsqlDataSource db)
{
    public const string Columns = """
        id, username, display_name, password_hash, avatar_url, signature, phone, email, is_bot, is_admin,
        token_version, created_at, updated_at, login_at, logout_at, client_ip, device_info, deleted_at,
        disabled_at, must_change_password
        """;


    /// <summary>Inserts a new account; null when the name is already taken.</summary>
    public async Task<UserRow?> Insert(string username, string displayName, string passwordHash)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<UserRow>($"""
            INSERT INTO users (username, display_name, password_hash) VALUES (@username, @displayName, @passwordHash)
            ON CONFLICT DO NOTHING
            RETURNING {Columns}
            """, new { username, displayName, passwordHash });
    }

    public async Task<UserRow?> Get(long id)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<UserRow>($"SELECT {Columns} FROM users WHERE id = @id", new { id });
    }

    /// <summary>
    /// The id of the account holding a name (closed accounts included: their names stay taken). A
    /// name with a control character matches nothing: no account's name holds one (and PostgreSQL
    /// could not even be asked about U+0000).
    /// </summary>
    public async Task<long?> FindIdByName(string username)
    {
        if (FreeText.IsRefusedLine(username)) return null;
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM users WHERE lower(username) = lower(@username)", new { username });
    }

    /// <summary>
    /// Writes every mutable column of the row (not is_admin: <see cref="AdministratorsGrain"/> owns it),
    /// with the audit row of an administrator's action in the same transaction; false when the new
    /// name is taken by another account.
    /// </summary>
    public async Task<bool> Update(UserRow row, AuditEntry? audit = null)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = audit is null ? null : await connection.BeginTransactionAsync();
        try
        {
            row.UpdatedAt = await connection.ExecuteScalarAsync<DateTime>("""
                UPDATE users SET username = @Username, display_name = @DisplayName, password_hash = @PasswordHash,
                       avatar_url = @AvatarUrl, signature = @Signature, phone = @Phone, email = @Email,
                       token_version = @TokenVersion, login_at = @LoginAt, logout_at = @LogoutAt,
                       client_ip = @ClientIp, device_info = @DeviceInfo, deleted_at = @DeletedAt,
                       disabled_at = @DisabledAt, must_change_password = @MustChangePassword, updated_at = now()
                WHERE id = @Id
                RETURNING updated_at
                """, row, tx);
            if (audit is not null)
            {
                await AdminAudit.Record(connection, tx!, audit);
                await tx!.CommitAsync();
            }
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false;
        }
    }

    /// <summary>Live accounts whose name starts with a prefix (any prefix when empty), by name; none for a prefix with a control character.</summary>
    public async Task<IReadOnlyList<UserProfile>> Search(string prefix, int limit)
    {
        if (FreeText.IsRefusedLine(prefix)) return [];
        var pattern = LikePrefix(prefix);
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<UserRow>($"""
            SELECT {Columns} FROM users
            WHERE lower(username) LIKE @pattern AND deleted_at IS NULL
            ORDER BY lower(username) LIMIT @limit
            """, new { pattern, limit });
        return rows.Select(r => r.ToProfile()).ToList();
    }

    /// <summary>
    /// Every account whose name starts with a prefix (disabled and deleted ones included), by name,
    /// for administrators; none for a prefix with a control character.
    /// </summary>
    public async Task<IReadOnlyList<AdministeredAccount>> SearchAll(string prefix, int limit)
    {
        if (FreeText.IsRefusedLine(prefix)) return [];
        var pattern = LikePrefix(prefix);
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<UserRow>($"""
            SELECT {Columns} FROM users WHERE lower(username) LIKE @pattern
            ORDER BY lower(username) LIMIT @limit
            """, new { pattern, limit });
        return rows.Select(AdministeredAccount.From).ToList();
    }

    static string LikePrefix(string prefix) =>
        prefix.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}

/// <summary>An account as administrators see it: its state, never its credentials or private fields.</summary>
public sealed record AdministeredAccount(
    long Id, string Username, string DisplayName, bool IsBot, bool IsAdmin, bool Disabled, bool MustChangePassword,
    DateTime CreatedAt, DateTime? LoginAt, DateTime? DeletedAt)
{
    public static AdministeredAccount From(UserRow r) => new(
        r.Id, r.Username, r.DeletedAt is null ? r.DisplayName : UserProfile.DeletedName, r.IsBot, r.IsAdmin, r.DisabledAt is not null,
        r.MustChangePassword, r.CreatedAt, r.LoginAt, r.DeletedAt);
}
