using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Accounts;

/// <summary>What the server stores and shows of credentials.</summary>
public sealed class SecretsTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Stored_passwords_are_salted_slow_hashes_not_plaintext()
    {
        await _host.RegisterAsync("olga", "same-password");
        await _host.RegisterAsync("pavel", "same-password");
        var hashes = await Sql.ColumnAsync(_host.ConnectionString, "SELECT password_hash FROM users ORDER BY id");
        Assert.Equal(2, hashes.Count);
        Assert.All(hashes, h =>
        {
            Assert.DoesNotContain("same-password", h);
            var parts = h.Split('$');
            Assert.Equal("pbkdf2-sha256", parts[0]);
            Assert.True(int.Parse(parts[1]) >= 100_000);
        });
        Assert.NotEqual(hashes[0], hashes[1]);
    }

    [Fact]
    public async Task No_response_in_any_dialect_carries_a_hash_salt_or_another_users_token()
    {
        var (aliceId, aliceToken) = await _host.RegisterAsync("alice", "alice-pw");
        var (bobId, bobToken) = await _host.RegisterAsync("bob", "bob-pw");
        var hashes = await Sql.ColumnAsync(_host.ConnectionString, "SELECT password_hash FROM users");
        using var client = _host.Client();
        using var alice = _host.Client(aliceToken);

        var bodies = new List<string>
        {
            await alice.GetStringAsync("/api/v1/users/me"),
            await alice.GetStringAsync($"/api/v1/users/{bobId}"),
            await alice.GetStringAsync("/api/v1/users?search="),
            await client.GetStringAsync($"/douyin/user/?user_id={bobId}&token={aliceToken}"),
            await (await client.PostAsync("/user/getUserList", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = aliceToken }))).Content.ReadAsStringAsync(),
            await (await client.PostAsync("/user/updateUser", new FormUrlEncodedContent(new Dictionary<string, string>
                { ["token"] = aliceToken, ["id"] = aliceId.ToString(), ["email"] = "alice@example.org" }))).Content.ReadAsStringAsync(),
            await (await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "alice", password = "alice-pw" })).Content.ReadAsStringAsync(),
            await (await client.PostAsync("/user/findUserByNameAndPwd", new FormUrlEncodedContent(new Dictionary<string, string>
                { ["name"] = "alice", ["password"] = "alice-pw" }))).Content.ReadAsStringAsync(),
            await (await client.PostAsync("/douyin/user/login/?username=alice&password=alice-pw", null)).Content.ReadAsStringAsync(),
        };
        // The flag saying a password must be chosen names no secret.
        foreach (var body in bodies.Select(b => b.Replace("\"mustChangePassword\"", "")))
        {
            Assert.DoesNotContain(bobToken, body);
            Assert.DoesNotContain("pbkdf2", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("salt", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
            foreach (var hash in hashes) Assert.DoesNotContain(hash.Split('$')[3], body);
            Assert.DoesNotContain("alice-pw", body);
        }
        // tokens that do appear are the caller's own
        foreach (var body in bodies.Skip(6))
            using (var json = JsonDocument.Parse(body))
                Assert.Contains(aliceId.ToString(), body);
    }
}
