using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoChat.Tests.Authorization;

/// <summary>
/// A token that is not a live one of its user opens nothing: not after logout, not unsigned, not
/// signed with another key, not with its claims changed, not expired, not for another issuer or
/// user or version. Refused in every dialect's words, by the hub, and by both ginchat sockets.
/// </summary>
public sealed class TokenRefusalTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Revoked_and_forged_tokens_are_refused_over_HTTP_in_every_dialect_the_hub_and_the_ginchat_sockets()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        var key = await _host.Services.GetRequiredService<SigningKey>().GetAsync();
        var now = DateTime.UtcNow;

        // A token of Alice's that logout revoked; she signs in again, so her account is live and has a newer one.
        var revoked = alice;
        using (var client = _host.Client(revoked)) Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        using (var client = _host.Client())
            alice = (await (await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "alice", password = "secret-pw" })).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("token").GetString()!;
        var version = int.Parse(new JsonWebToken(alice).GetClaim("ver").Value, System.Globalization.CultureInfo.InvariantCulture);

        (string Label, string Token)[] refused =
        [
            ("revoked by logout", revoked),
            ("alg none", Unsigned(aliceId, version, now)),
            ("signed with another key", Sign(new SymmetricSecurityKey(RandomKey()), aliceId, version, now)),
            ("Bob's token claiming to be Alice's", WithClaims(bob, aliceId, version)),
            ("expired", Sign(key, aliceId, version, now.AddDays(-2), expires: now.AddMinutes(-5))),
            ("not valid for an hour yet", Sign(key, aliceId, version, now.AddHours(1))),
            ("another issuer", Sign(key, aliceId, version, now, issuer: "elsewhere")),
            ("a user that does not exist", Sign(key, 987654, 0, now)),
            ("a version the account never had", Sign(key, aliceId, version + 7, now)),
            ("HS384 with the right key", Sign(key, aliceId, version, now, algorithm: SecurityAlgorithms.HmacSha384)),
            ("garbage", "not.a.token"),
        ];

        // The same checks pass with Alice's live token: the refusals below are the tokens', not the harness's.
        Assert.Empty(await RefusalsAsync(alice, aliceId, bobId, expectRefused: false));
        foreach (var (label, token) in refused)
        {
            var accepted = await RefusalsAsync(token, aliceId, bobId, expectRefused: true);
            Assert.True(accepted.Count == 0, $"a token {label} was accepted by: {string.Join(", ", accepted)}");
        }
    }

    /// <summary>The channels that answered otherwise than expected: refused (or accepted, for a live token).</summary>
    async Task<List<string>> RefusalsAsync(string token, long userId, long peerId, bool expectRefused)
    {
        var wrong = new List<string>();
        void Expect(string channel, bool wasRefused)
        {
            if (wasRefused != expectRefused) wrong.Add(channel);
        }

        using (var native = _host.Client(token))
        {
            var me = await native.GetAsync("/api/v1/users/me");
            Expect("native", me.StatusCode == HttpStatusCode.Unauthorized && me.Content.Headers.ContentType?.MediaType == "application/problem+json");
        }
        using var anonymous = _host.Client();
        var media = await anonymous.GetAsync($"/api/v1/conversations?access_token={Uri.EscapeDataString(token)}");
        Expect("native ?access_token=", media.StatusCode == HttpStatusCode.Unauthorized);

        var douyin = await anonymous.GetFromJsonAsync<JsonElement>($"/douyin/user/?token={Uri.EscapeDataString(token)}");
        Expect("douyin", douyin.GetProperty("status_code").GetInt32() == 2);
        using (var bearer = _host.Client(token))
        {
            var sent = await (await bearer.PostAsync($"/douyin/message/action/?to_user_id={peerId}&action_type=1&content=hi", null)).Content.ReadFromJsonAsync<JsonElement>();
            Expect("douyin (bearer)", sent.GetProperty("status_code").GetInt32() == 2);
        }
        var ginchat = await (await anonymous.PostAsync("/user/getUserList", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token })))
            .Content.ReadFromJsonAsync<JsonElement>();
        Expect("ginchat", ginchat.GetProperty("code").GetInt32() == -1);

        using (var negotiate = _host.Client(token))
            Expect("hub negotiate", (await negotiate.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null)).StatusCode == HttpStatusCode.Unauthorized);
        Expect("hub WebSocket", await RefusedAsync(new Uri(_host.BaseAddress, $"/hubs/chat?access_token={Uri.EscapeDataString(token)}")));
        Expect("ginchat sendUserMsg", await RefusedAsync(new Uri(_host.BaseAddress, $"/user/sendUserMsg?userId={userId}&token={Uri.EscapeDataString(token)}")));
        Expect("ginchat sendMsg", await RefusedAsync(new Uri(_host.BaseAddress, $"/user/sendMsg?token={Uri.EscapeDataString(token)}")));
        return wrong;
    }

    /// <summary>Whether a WebSocket to <paramref name="uri"/> is refused (no 101).</summary>
    static async Task<bool> RefusedAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(new UriBuilder(uri) { Scheme = "ws" }.Uri, CancellationToken.None);
            return false;
        }
        catch (WebSocketException)
        {
            return true;
        }
    }

    static string Sign(SecurityKey key, long userId, int version, DateTime issued, DateTime? expires = null, string issuer = "gochat",
        string algorithm = SecurityAlgorithms.HmacSha256) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "gochat",
            IssuedAt = issued,
            NotBefore = issued,
            Expires = expires ?? issued.AddDays(1),
            Claims = new Dictionary<string, object> { ["sub"] = $"{userId}", ["ver"] = version },
            SigningCredentials = new SigningCredentials(key, algorithm),
        });

    /// <summary>An "alg": "none" token: a header and claims, no signature.</summary>
    static string Unsigned(long userId, int version, DateTime issued)
    {
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var exp = new DateTimeOffset(issued.AddDays(1)).ToUnixTimeSeconds();
        var claims = Base64Url($$"""{"iss":"gochat","aud":"gochat","sub":"{{userId}}","ver":{{version}},"exp":{{exp}}}""");
        return $"{header}.{claims}.";
    }

    /// <summary>A real token's signature over claims changed to name another user.</summary>
    static string WithClaims(string token, long userId, int version)
    {
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        var changed = claims.ToDictionary(c => c.Key, c => (object)c.Value);
        changed["sub"] = $"{userId}";
        changed["ver"] = version;
        return $"{parts[0]}.{Base64Url(JsonSerializer.Serialize(changed))}.{parts[2]}";
    }

    static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    static byte[] RandomKey() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
}
