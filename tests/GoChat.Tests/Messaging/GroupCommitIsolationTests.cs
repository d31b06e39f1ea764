using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Grains.Chat;
using GoChat.Grains.Storage;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.Messaging;

/// <summary>
/// A write PostgreSQL refuses fails only its own caller: every other write group-committed with it
/// commits, no seq is burnt, and the writer's connection is sound for the next batch. The bad rows
/// are put straight into the message log or the group committer, below the validation that keeps
/// them out of the APIs, so these hold whatever slips past validation.
/// </summary>
public sealed class GroupCommitIsolationTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    [Fact]
    public async Task A_row_PostgreSQL_refuses_fails_only_its_caller_and_24_concurrent_sends_of_other_users_in_its_batch_commit()
    {
        var (ownerId, _) = await _host.RegisterAsync("owner");
        var (strangerId, _) = await _host.RegisterAsync("stranger");
        var senders = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => _host.RegisterAsync($"sender{i}")));
        var log = _host.Services.GetRequiredService<MessageLog>();

        Task<(HttpResponseMessage, string)>[] sends;
        Task<long?> refused;
        await using (var hold = await HoldTableAsync("messages"))
        {
            // The first send's batch waits on the lock; everything after it queues into the next batch, the bad row among them.
            sends = senders.Select(s => SendAsync(s.Token, Direct(s.UserId, ownerId), $"hello from {s.UserId}")).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(2));
            refused = log.Append(new ChatMessage(0, Direct(ownerId, strangerId), 1, ownerId, "text", "bad\0row", null, null, "bad-row",
                DateTime.UtcNow, null, false));
        }

        var answers = await Task.WhenAll(sends);
        Assert.All(answers, a => Assert.True(a.Item1.StatusCode == HttpStatusCode.Created, a.Item2));
        var error = await Assert.ThrowsAsync<PostgresException>(() => refused);
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, error.SqlState);
        Assert.Equal(24L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM messages"));

        // Nothing is left broken: the next sends commit too.
        foreach (var (userId, token) in senders.Take(5))
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(token, Direct(userId, ownerId), "again")).Item1.StatusCode);
    }

    [Fact]
    public async Task A_write_PostgreSQL_refuses_fails_only_its_caller_and_24_concurrent_follows_in_its_batch_commit()
    {
        var (ownerId, _) = await _host.RegisterAsync("owner");
        var fans = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => _host.RegisterAsync($"fan{i}")));
        var committer = _host.Services.GetRequiredService<GroupCommitter>();
        using var client = _host.Client();

        Task<JsonElement>[] follows;
        Task<int> refused;
        await using (var hold = await HoldTableAsync("follows"))
        {
            follows = fans.Select(f => Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={f.Token}&to_user_id={ownerId}&action_type=1")).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(2));
            refused = committer.Write("UPDATE users SET signature = $1 WHERE id = $2", "bad\0write", ownerId);
        }

        Assert.All(await Task.WhenAll(follows), f => Assert.Equal(0, f.GetProperty("status_code").GetInt32()));
        await Assert.ThrowsAsync<PostgresException>(() => refused);
        Assert.Equal(24L, await Sql.ScalarAsync<long>(_host.ConnectionString, $"SELECT count(*) FROM follows WHERE followee_id = {ownerId}"));
        var owner = await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={ownerId}");
        Assert.Equal(24, owner.GetProperty("user").GetProperty("follower_count").GetInt64());
    }

    [Fact]
    public async Task After_a_row_PostgreSQL_refused_the_message_writer_commits_the_next_batches()
    {
        var (aliceId, _) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        var log = _host.Services.GetRequiredService<MessageLog>();
        var seq = 0;
        ChatMessage Message(string text) => new(0, Direct(aliceId, bobId), ++seq, aliceId, "text", text, null, null, $"m{seq}", DateTime.UtcNow, null, false);

        // Npgsql prepares a statement on its fifth execution on a connection; a failure of that very
        // execution left the connection unable to run the statement again.
        for (var i = 0; i < 4; i++) Assert.NotNull(await log.Append(Message("fine")));
        await Assert.ThrowsAsync<PostgresException>(() => log.Append(Message("bad\0row")));
        for (var i = 0; i < 8; i++) Assert.NotNull(await log.Append(Message("fine again")));
    }

    [Fact]
    public async Task A_message_PostgreSQL_refuses_gives_its_seq_to_the_next_message()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        await using (var connection = new NpgsqlConnection(_host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var refuse = new NpgsqlCommand("""
                CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.text = 'refuse me' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_marked BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_marked();
                """, connection);
            await refuse.ExecuteNonQueryAsync();
        }
        var conversation = Direct(aliceId, bobId);

        Assert.Equal(1, SeqOf(await SendAsync(alice, conversation, "one")));
        var (refused, body) = await SendAsync(alice, conversation, "refuse me");
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.DoesNotContain("refused by the test", body);
        Assert.Equal(2, SeqOf(await SendAsync(alice, conversation, "two")));
        Assert.Equal(3, SeqOf(await SendAsync(alice, conversation, "three")));
    }

    [Fact]
    public async Task A_send_refused_for_a_NUL_takes_no_seq()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        var conversation = Direct(aliceId, bobId);

        Assert.Equal(1, SeqOf(await SendAsync(alice, conversation, "one")));
        var (refused, body) = await SendAsync(alice, conversation, "t\0wo");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("control characters", body);
        Assert.Equal(2, SeqOf(await SendAsync(alice, conversation, "two")));
    }

    async Task<(HttpResponseMessage, string)> SendAsync(string token, string conversation, string text)
    {
        using var client = _host.Client(token);
        var response = await client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages",
            new { clientMsgId = Guid.NewGuid().ToString("N"), kind = "text", text });
        return (response, await response.Content.ReadAsStringAsync());
    }

    static long SeqOf((HttpResponseMessage Response, string Body) sent)
    {
        Assert.True(sent.Response.StatusCode == HttpStatusCode.Created, sent.Body);
        return JsonDocument.Parse(sent.Body).RootElement.GetProperty("seq").GetInt64();
    }

    /// <summary>Holds a table against writes (reads go on) until disposed, so the writer's current batch waits and the next one fills.</summary>
    async Task<IAsyncDisposable> HoldTableAsync(string table)
    {
        var connection = new NpgsqlConnection(_host.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE {table} IN EXCLUSIVE MODE", connection, transaction))
            await command.ExecuteNonQueryAsync();
        return new Release(async () =>
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        });
    }

    sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }
}
