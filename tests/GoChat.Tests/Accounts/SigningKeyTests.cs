using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GoChat.Grains.Storage;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GoChat.Tests.Accounts;

/// <summary>
/// Every WebFront of a cluster signs tokens with one key kept in the database. A front that could
/// not load it yet says it is not ready and answers "try again", and loads it at the next attempt:
/// it never stays unable to sign people in.
/// </summary>
public sealed class SigningKeyTests
{
    const string KeyName = "jwt-signing-key";

    [Fact]
    public async Task Two_fronts_whose_key_loads_wait_on_another_nodes_uncommitted_key_both_sign_in_with_it_once_committed()
    {
        var connectionString = await MigratedDatabaseAsync();
        // Another node is storing its key: the row is written but not committed yet.
        await using var otherNode = new NpgsqlConnection(connectionString);
        await otherNode.OpenAsync();
        await using var storing = await otherNode.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO server_secrets (name, value) VALUES ($1, $2)", otherNode, storing))
        {
            insert.Parameters.AddWithValue(KeyName);
            insert.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(64));
            await insert.ExecuteNonQueryAsync();
        }

        await using var first = await GoChatHost.StartAsync(connectionString);
        await using var second = await GoChatHost.StartAsync(connectionString);
        var signUps = new[] { RegisterAsync(first, "race_ann"), RegisterAsync(second, "race_bob") };
        // Both fronts' key loads now wait on the uncommitted row (their INSERT conflicts with it).
        await WaitForLockWaitersAsync(connectionString, 2);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadinessAsync(first));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadinessAsync(second));

        await storing.CommitAsync();
        var tokens = new List<string>();
        foreach (var signUp in signUps)
        {
            var response = await signUp;
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            tokens.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
        }
        // One key: a token issued by either front is good on the other.
        using (var onSecond = second.Client(tokens[0])) Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/users/me")).StatusCode);
        using (var onFirst = first.Client(tokens[1])) Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync("/api/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(first));
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(second));
    }

    [Fact]
    public async Task A_front_whose_key_load_had_its_session_ended_answers_try_again_then_loads_the_key_at_the_next_attempt()
    {
        var connectionString = await MigratedDatabaseAsync();
        await using var blocker = new NpgsqlConnection(connectionString);
        await blocker.OpenAsync();
        await using var holding = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE server_secrets IN ACCESS EXCLUSIVE MODE", blocker, holding))
            await lockTable.ExecuteNonQueryAsync();

        // The front starts although its key cannot be read yet, and says it is not ready.
        await using var host = await GoChatHost.StartAsync(connectionString);
        using var http = host.Client("any-token"); // checking a token needs the key first
        var check = http.GetAsync("/api/v1/users/me");
        await WaitForLockWaitersAsync(connectionString, 1);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadinessAsync(host));

        // The database ends every session waiting for the key, as a restart would (57P01), until the
        // request waiting on a load has its answer.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!check.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Sql.ScalarAsync<bool>(connectionString, """
                SELECT count(pg_terminate_backend(pid)) >= 0 FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                """);
            await Task.WhenAny(check, Task.Delay(100));
        }
        var refused = await check;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Equal("the database is not reachable just now; try again",
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await holding.RollbackAsync();

        var response = await RegisterAsync(host, "late_lee");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(host));
    }

    [Fact]
    public async Task A_front_that_cannot_load_its_key_answers_try_again_and_is_not_ready_until_it_can_without_a_restart()
    {
        var connectionString = await MigratedDatabaseAsync();
        await Sql.ExecuteAsync(connectionString, "ALTER TABLE server_secrets RENAME TO server_secrets_away");

        await using var host = await GoChatHost.StartAsync(connectionString);
        using var http = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadinessAsync(host));
        var refused = await RegisterAsync(host, "keyless_kim");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.EndsWith("try again", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // Refused before the account was made: the retry may take the same name.
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM users"));

        await Sql.ExecuteAsync(connectionString, "ALTER TABLE server_secrets_away RENAME TO server_secrets");
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(host, "keyless_kim")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(host));
    }

    static async Task<string> MigratedDatabaseAsync()
    {
        var connectionString = await TestDatabase.CreateAsync();
        await SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance);
        return connectionString;
    }

    static async Task<HttpResponseMessage> RegisterAsync(GoChatHost host, string username)
    {
        using var http = host.Client();
        return await http.PostAsJsonAsync("/api/v1/auth/register", new { username, password = "secret-pw" });
    }

    static async Task<HttpStatusCode> ReadinessAsync(GoChatHost host)
    {
        using var http = host.Client();
        return (await http.GetAsync("/readyz")).StatusCode;
    }

    /// <summary>Waits until that many sessions of the database wait for a lock (bounded: fails after 20 s).</summary>
    static async Task WaitForLockWaitersAsync(string connectionString, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long waiting;
        while ((waiting = await Sql.ScalarAsync<long>(connectionString,
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")) < count
               && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(count, waiting);
    }
}
