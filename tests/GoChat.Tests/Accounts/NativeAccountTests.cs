using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Accounts;

public sealed class NativeAccountTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Register_returns_201_with_a_token_that_opens_the_profile()
    {
        using var client = _host.Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { username = "Alice", password = "wonderland", displayName = "Alice L." });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("token").GetString();
        Assert.Equal("Alice L.", body.RootElement.GetProperty("user").GetProperty("displayName").GetString());

        using var authed = _host.Client(token);
        var me = await authed.GetFromJsonAsync<JsonElement>("/api/v1/users/me");
        Assert.Equal("Alice", me.GetProperty("username").GetString());
        Assert.Equal(body.RootElement.GetProperty("userId").GetInt64(), me.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Display_name_defaults_to_the_username()
    {
        var (id, token) = await _host.RegisterAsync("bob");
        using var client = _host.Client(token);
        var user = await client.GetFromJsonAsync<JsonElement>($"/api/v1/users/{id}");
        Assert.Equal("bob", user.GetProperty("displayName").GetString());
        Assert.False(user.GetProperty("isBot").GetBoolean());
    }

    [Fact]
    public async Task Usernames_are_unique_case_insensitively()
    {
        await _host.RegisterAsync("Carol");
        using var client = _host.Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { username = "CAROL", password = "another-pw" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("taken", await ProblemDetail(response));
    }

    [Fact]
    public async Task Twenty_clients_racing_for_one_name_create_exactly_one_account()
    {
        using var client = _host.Client();
        var attempts = Enumerable.Range(0, 20).Select(i =>
            client.PostAsJsonAsync("/api/v1/auth/register", new { username = i % 2 == 0 ? "racer" : "RACER", password = $"password{i}" }));
        var responses = await Task.WhenAll(attempts);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM users WHERE lower(username) = 'racer'"));
    }

    [Fact]
    public async Task Login_accepts_the_right_password_only()
    {
        await _host.RegisterAsync("dave", "correct-horse");
        using var client = _host.Client();
        var ok = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "DAVE", password = "correct-horse" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "dave", password = "battery-staple" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("wrong password", await ProblemDetail(wrong));
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody", password = "whatever" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_for_a_while()
    {
        await _host.RegisterAsync("erin", "right-one");
        using var client = _host.Client();
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "erin", password = $"guess-{i}" })).StatusCode);
        var locked = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "erin", password = "right-one" });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_the_token_and_older_ones()
    {
        var (_, first) = await _host.RegisterAsync("frank", "frank-pw");
        using var anonymous = _host.Client();
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = "frank", password = "frank-pw" });
        var second = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();

        using var client = _host.Client(second);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        var afterLogout = await client.GetAsync("/api/v1/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Contains("token", await ProblemDetail(afterLogout));
        using var old = _host.Client(first);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/v1/users/me")).StatusCode);

        var again = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = "frank", password = "frank-pw" });
        using var fresh = _host.Client((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Profile_updates_are_validated_and_kept()
    {
        var (_, token) = await _host.RegisterAsync("grace", "grace-pw");
        using var client = _host.Client(token);
        var update = await client.PatchAsJsonAsync("/api/v1/users/me",
            new { displayName = "Grace H.", signature = "COBOL forever", email = "grace@example.org", phone = "+1 555-0100" });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me");
        Assert.Equal("Grace H.", me.GetProperty("displayName").GetString());
        Assert.Equal("COBOL forever", me.GetProperty("signature").GetString());
        Assert.Equal("grace@example.org", me.GetProperty("email").GetString());

        var badEmail = await client.PatchAsJsonAsync("/api/v1/users/me", new { displayName = "Changed", email = "not-an-address" });
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Assert.Equal("Grace H.", (await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me")).GetProperty("displayName").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync("/api/v1/users/me", new { password = "new-password" })).StatusCode);
        using var anonymous = _host.Client();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = "grace", password = "new-password" })).StatusCode);
    }

    [Fact]
    public async Task Search_finds_users_by_name_prefix()
    {
        var (_, token) = await _host.RegisterAsync("heidi");
        await _host.RegisterAsync("heinz");
        await _host.RegisterAsync("ivan");
        await _host.RegisterAsync("he_llo");
        using var client = _host.Client(token);
        var found = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/users?search=HEI&limit=10");
        Assert.Equal(new[] { "heidi", "heinz" }, found!.Select(u => u.GetProperty("username").GetString()!));
        var literal = await client.GetFromJsonAsync<JsonElement[]>("/api/v1/users?search=he_");
        Assert.Equal(new[] { "he_llo" }, literal!.Select(u => u.GetProperty("username").GetString()!));
    }

    [Theory]
    [InlineData("{\"username\":\"\",\"password\":\"secret-pw\"}", "username")]
    [InlineData("{\"username\":\"abcdefghijabcdefghijabcdefghijabc\",\"password\":\"secret-pw\"}", "32")]
    [InlineData("{\"username\":\"has space\",\"password\":\"secret-pw\"}", "spaces")]
    [InlineData("{\"username\":\"short\",\"password\":\"12345\"}", "password")]
    [InlineData("{\"username\":\"long\",\"password\":\"12345678901234567890123456789012345678901234567890123456789012345\"}", "password")]
    [InlineData("{\"username\":5,\"password\":\"secret-pw\"}", "JSON")]
    [InlineData("{not json", "JSON")]
    [InlineData("", "body")]
    public async Task Bad_registrations_get_a_400_problem_saying_why(string body, string expected)
    {
        using var client = _host.Client();
        var response = await client.PostAsync("/api/v1/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await ProblemDetail(response), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task Routes_that_need_a_caller_refuse_missing_and_forged_tokens()
    {
        using var anonymous = _host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/users/me")).StatusCode);
        using var forged = _host.Client("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwidmVyIjowfQ.c2lnbmF0dXJl");
        var response = await forged.GetAsync("/api/v1/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_users_are_404_and_bad_ids_are_not_500()
    {
        var (_, token) = await _host.RegisterAsync("judy");
        using var client = _host.Client(token);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/users/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/users/abc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/users?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/users?limit=abc")).StatusCode);
    }

    static async Task<string> ProblemDetail(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : text;
    }
}
