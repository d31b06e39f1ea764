using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Accounts;

/// <summary>The same accounts through the douyin and ginchat dialects.</summary>
public sealed class LegacyDialectAccountTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_user_made_in_each_dialect_signs_in_through_the_other_two()
    {
        using var client = _host.Client();

        // douyin-made
        var douyin = await Douyin(client, HttpMethod.Post, "/douyin/user/register/?username=dy_user&password=dy-secret");
        Assert.Equal(0, douyin.GetProperty("status_code").GetInt32());
        var douyinId = douyin.GetProperty("user_id").GetInt64();
        Assert.Equal(douyinId, (await NativeLogin(client, "dy_user", "dy-secret")).GetProperty("userId").GetInt64());
        Assert.Equal(douyinId, (await Ginchat(client, "/user/findUserByNameAndPwd", new() { ["name"] = "dy_user", ["password"] = "dy-secret" }))
            .GetProperty("data").GetProperty("ID").GetInt64());

        // ginchat-made
        var gin = await Ginchat(client, "/user/createUser", new() { ["name"] = "gin_user", ["password"] = "gin-secret", ["Identity"] = "gin-secret" });
        Assert.Equal(0, gin.GetProperty("code").GetInt32());
        var ginId = gin.GetProperty("data").GetProperty("ID").GetInt64();
        Assert.Equal(ginId, (await NativeLogin(client, "gin_user", "gin-secret")).GetProperty("userId").GetInt64());
        var douyinLogin = await Douyin(client, HttpMethod.Post, "/douyin/user/login/", new() { ["username"] = "gin_user", ["password"] = "gin-secret" });
        Assert.Equal(ginId, douyinLogin.GetProperty("user_id").GetInt64());

        // native-made
        var (nativeId, _) = await _host.RegisterAsync("native_user", "native-secret");
        Assert.Equal(nativeId, (await Douyin(client, HttpMethod.Post, "/douyin/user/login/?username=native_user&password=native-secret")).GetProperty("user_id").GetInt64());
        var ginLogin = await Ginchat(client, "/user/findUserByNameAndPwd", new() { ["name"] = "native_user", ["password"] = "native-secret" });
        Assert.Equal(nativeId, ginLogin.GetProperty("data").GetProperty("ID").GetInt64());

        // one token works everywhere
        var token = ginLogin.GetProperty("data").GetProperty("Identity").GetString()!;
        using var bearer = _host.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/v1/users/me")).StatusCode);
        var douyinUser = await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={douyinId}&token={token}");
        Assert.Equal(0, douyinUser.GetProperty("status_code").GetInt32());
        Assert.Equal(douyinId, douyinUser.GetProperty("user").GetProperty("id").GetInt64());
        Assert.Equal("dy_user", douyinUser.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal(0, douyinUser.GetProperty("user").GetProperty("follow_count").GetInt64());
    }

    [Theory]
    [InlineData("POST", "/douyin/user/register/", "", "required")]
    [InlineData("POST", "/douyin/user/register/?username=abc", "", "required")]
    [InlineData("POST", "/douyin/user/register/?username=abcdefghijabcdefghijabcdefghijabc&password=123456", "", "32")]
    [InlineData("POST", "/douyin/user/register/?username=abc&password=123", "", "password")]
    [InlineData("POST", "/douyin/user/login/?username=nobody&password=123456", "", "unknown user")]
    [InlineData("GET", "/douyin/user/?user_id=abc", "", "integer")]
    [InlineData("GET", "/douyin/user/?user_id=123456789", "", "no user")]
    [InlineData("GET", "/douyin/user/?user_id=1&token=garbage", "", "token")]
    [InlineData("GET", "/douyin/user/", "", "required")]
    public async Task Douyin_bad_input_is_a_nonzero_status_code_in_an_HTTP_200(string method, string url, string _, string expected)
    {
        using var client = _host.Client();
        var body = await Douyin(client, new HttpMethod(method), url);
        Assert.NotEqual(0, body.GetProperty("status_code").GetInt32());
        Assert.Contains(expected, body.GetProperty("status_msg").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task Douyin_register_twice_is_refused()
    {
        using var client = _host.Client();
        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, "/douyin/user/register/?username=twice&password=123456")).GetProperty("status_code").GetInt32());
        var again = await Douyin(client, HttpMethod.Post, "/douyin/user/register/", new() { ["username"] = "TWICE", ["password"] = "123456" });
        Assert.NotEqual(0, again.GetProperty("status_code").GetInt32());
        Assert.Contains("taken", again.GetProperty("status_msg").GetString());
    }

    [Theory]
    [InlineData("", "pw1234", "pw1234", "required")]
    [InlineData("someone", "", "", "required")]
    [InlineData("someone", "pw1234", "pw9999", "differ")]
    public async Task Ginchat_createUser_refuses_bad_input_with_code_minus_one(string name, string password, string repeat, string expected)
    {
        using var client = _host.Client();
        var body = await Ginchat(client, "/user/createUser", new() { ["name"] = name, ["password"] = password, ["Identity"] = repeat });
        Assert.Equal(-1, body.GetProperty("code").GetInt32());
        Assert.Contains(expected, body.GetProperty("message").GetString());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task Ginchat_login_tells_unknown_user_from_wrong_password()
    {
        using var client = _host.Client();
        await Ginchat(client, "/user/createUser", new() { ["name"] = "ken", ["password"] = "ken-pw", ["Identity"] = "ken-pw" });
        var taken = await Ginchat(client, "/user/createUser", new() { ["name"] = "Ken", ["password"] = "ken-pw", ["Identity"] = "ken-pw" });
        Assert.Equal(-1, taken.GetProperty("code").GetInt32());
        Assert.Equal("unknown user", (await Ginchat(client, "/user/findUserByNameAndPwd", new() { ["name"] = "kenny", ["password"] = "ken-pw" })).GetProperty("message").GetString());
        Assert.Equal("wrong password", (await Ginchat(client, "/user/findUserByNameAndPwd", new() { ["name"] = "ken", ["password"] = "nope-pw" })).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Ginchat_user_routes_need_the_callers_own_token()
    {
        using var client = _host.Client();
        var (aliceId, aliceToken) = await _host.RegisterAsync("alice", "alice-pw");
        var (bobId, _) = await _host.RegisterAsync("bob", "bob-pw");

        var noToken = await Ginchat(client, "/user/getUserList", []);
        Assert.Equal(-1, noToken.GetProperty("code").GetInt32());
        var list = await Ginchat(client, "/user/getUserList", new() { ["token"] = aliceToken });
        Assert.Equal(0, list.GetProperty("code").GetInt32());
        Assert.Equal(2, list.GetProperty("data").GetArrayLength());
        Assert.All(list.GetProperty("data").EnumerateArray(), u => Assert.Equal("", u.GetProperty("Identity").GetString()));

        var otherUser = await Ginchat(client, "/user/updateUser", new() { ["token"] = aliceToken, ["id"] = bobId.ToString(), ["name"] = "mallory" });
        Assert.Equal(-1, otherUser.GetProperty("code").GetInt32());
        var deleteOther = await Ginchat(client, $"/user/deleteUser?id={bobId}&token={aliceToken}", null);
        Assert.Equal(-1, deleteOther.GetProperty("code").GetInt32());
        Assert.Equal(bobId, (await NativeLogin(client, "bob", "bob-pw")).GetProperty("userId").GetInt64());
        var ownList = await Ginchat(client, "/user/updateUser", new() { ["token"] = aliceToken, ["id"] = aliceId.ToString(), ["name"] = "alice2" });
        Assert.Equal(0, ownList.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Ginchat_updateUser_checks_phone_and_email_and_renames()
    {
        using var client = _host.Client();
        var (id, token) = await _host.RegisterAsync("linus", "linus-pw");
        var fields = new Dictionary<string, string> { ["token"] = token, ["id"] = id.ToString() };

        var badPhone = await Ginchat(client, "/user/updateUser", new(fields) { ["phone"] = "12345" });
        Assert.Equal(-1, badPhone.GetProperty("code").GetInt32());
        Assert.Contains("phone", badPhone.GetProperty("message").GetString());
        var badEmail = await Ginchat(client, "/user/updateUser", new(fields) { ["email"] = "linus-at-example" });
        Assert.Equal(-1, badEmail.GetProperty("code").GetInt32());

        var ok = await Ginchat(client, "/user/updateUser", new(fields) { ["name"] = "torvalds", ["phone"] = "13812345678", ["email"] = "linus@example.org" });
        Assert.Equal(0, ok.GetProperty("code").GetInt32());
        Assert.Equal("13812345678", ok.GetProperty("data").GetProperty("Phone").GetString());
        Assert.Equal(id, (await NativeLogin(client, "torvalds", "linus-pw")).GetProperty("userId").GetInt64());
        var oldName = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "linus", password = "linus-pw" });
        Assert.Equal(HttpStatusCode.NotFound, oldName.StatusCode);
        await _host.RegisterAsync("linus", "new-linus");   // the old name is free again

        var taken = await Ginchat(client, "/user/updateUser", new(fields) { ["name"] = "LINUS" });
        Assert.Equal(-1, taken.GetProperty("code").GetInt32());
        Assert.Contains("taken", taken.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Ginchat_deleteUser_closes_the_account()
    {
        using var client = _host.Client();
        // The first account of a server is its administrator, and the last one cannot delete their account.
        await _host.RegisterAsync("operator");
        var (id, token) = await _host.RegisterAsync("mike", "mike-pw");
        var deleted = await Ginchat(client, $"/user/deleteUser?id={id}&token={token}", null);
        Assert.Equal(0, deleted.GetProperty("code").GetInt32());
        Assert.Equal(-1, (await Ginchat(client, "/user/findUserByNameAndPwd", new() { ["name"] = "mike", ["password"] = "mike-pw" })).GetProperty("code").GetInt32());
        using var old = _host.Client(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Logged_out_tokens_are_refused_in_the_legacy_dialects_too()
    {
        using var client = _host.Client();
        var (id, token) = await _host.RegisterAsync("nina", "nina-pw");
        using var authed = _host.Client(token);
        await authed.PostAsync("/api/v1/auth/logout", null);
        var douyin = await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={id}&token={token}");
        Assert.NotEqual(0, douyin.GetProperty("status_code").GetInt32());
        var gin = await Ginchat(client, "/user/getUserList", new() { ["token"] = token });
        Assert.Equal(-1, gin.GetProperty("code").GetInt32());
    }

    async Task<JsonElement> NativeLogin(HttpClient client, string username, string password)
    {
        var body = await NativeLoginResponse(client, username, password);
        Assert.True(body.TryGetProperty("token", out _), body.ToString());
        return body;
    }

    static async Task<JsonElement> NativeLoginResponse(HttpClient client, string username, string password)
    {
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A douyin call: HTTP 200 always, with status_code/status_msg.</summary>
    public static async Task<JsonElement> Douyin(HttpClient client, HttpMethod method, string url, Dictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (form is not null) request.Content = new FormUrlEncodedContent(form);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: HTTP {(int)response.StatusCode} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.True(body.TryGetProperty("status_code", out _) && body.TryGetProperty("status_msg", out _), text);
        return body;
    }

    /// <summary>A ginchat call: form fields when given, else GET with the query string.</summary>
    public static async Task<JsonElement> Ginchat(HttpClient client, string url, Dictionary<string, string>? form)
    {
        var response = form is null ? await client.GetAsync(url) : await client.PostAsync(url, new FormUrlEncodedContent(form));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: HTTP {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
