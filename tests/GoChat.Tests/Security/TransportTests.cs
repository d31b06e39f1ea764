using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.Security;

/// <summary>
/// A WebFront behind a "proxy" at 127.0.0.2 (GoChat:ForwardedHeaders:KnownProxies, loopback not
/// trusted otherwise), with a sign-in limit of 5 a minute per address and one allowed CORS origin,
/// shared by the tests of a class.
/// </summary>
public sealed class ProxiedHost : IAsyncLifetime
{
    public const string Proxy = "127.0.0.2";
    public const int SignInsPerMinute = 5;
    public const string AllowedOrigin = "https://chat.example.com";

    public GoChatHost Host { get; private set; } = null!;
    int _registrations;

    /// <summary>A client address of its own for each registration, so registrations never meet the sign-in limit.</summary>
    public string NextClientAddress() => $"192.0.2.{Interlocked.Increment(ref _registrations)}";

    public async Task InitializeAsync() => Host = await GoChatHost.StartAsync(settings:
    [
        $"--GoChat:Security:SignInPermitsPerMinute={SignInsPerMinute}",
        $"--GoChat:ForwardedHeaders:KnownProxies={Proxy}",
        "--GoChat:ForwardedHeaders:KnownNetworks=",
        $"--GoChat:Cors:Origins={AllowedOrigin}",
        // ASP.NET Core's own switch (ASPNETCORE_FORWARDEDHEADERS_ENABLED) trusts anyone; it must not widen the list.
        "--FORWARDEDHEADERS_ENABLED=true",
    ]);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Clients connect from chosen loopback addresses, so each test has addresses of its own: the
/// sign-in limits count per address and the tests share the host.
/// </summary>
public sealed class TransportTests(ProxiedHost proxied) : IClassFixture<ProxiedHost>
{
    const string Proxy = ProxiedHost.Proxy;
    const int SignInsPerMinute = ProxiedHost.SignInsPerMinute;
    const string AllowedOrigin = ProxiedHost.AllowedOrigin;

    GoChatHost Host => proxied.Host;

    [Fact]
    public async Task An_attacker_rotating_accounts_from_one_address_is_still_limited()
    {
        // Accounts made by others, each from its own address behind the proxy.
        using (var proxy = From(Proxy))
            for (var i = 0; i <= SignInsPerMinute; i++)
            {
                using var register = Forwarded(HttpMethod.Post, "/api/v1/auth/register", $"198.51.100.{i + 1}");
                register.Content = JsonContent.Create(new { username = $"victim{i}", password = "victim-password" });
                Assert.Equal(HttpStatusCode.Created, (await proxy.SendAsync(register)).StatusCode);
            }

        // One guess at each account, each claiming another address it is not trusted to claim.
        using var attacker = From("127.0.0.3");
        for (var i = 0; i < SignInsPerMinute; i++)
        {
            using var guess = Forwarded(HttpMethod.Post, "/api/v1/auth/login", $"203.0.113.{i + 1}");
            guess.Content = JsonContent.Create(new { username = $"victim{i}", password = "guess" });
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.SendAsync(guess)).StatusCode);
        }
        using var next = Forwarded(HttpMethod.Post, "/api/v1/auth/login", "203.0.113.99");
        next.Content = JsonContent.Create(new { username = $"victim{SignInsPerMinute}", password = "guess" });
        var limited = await attacker.SendAsync(next);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Contains("too many sign-in attempts from your address", await limited.Content.ReadAsStringAsync());

        // Every dialect's sign-in shares the address's limit.
        var douyin = await Douyin(attacker, HttpMethod.Post, $"/douyin/user/login/?username=victim0&password=guess");
        Assert.Equal(7, douyin.GetProperty("status_code").GetInt32());
        var ginchat = await Ginchat(attacker, "/user/findUserByNameAndPwd", new() { ["name"] = "victim1", ["password"] = "guess" });
        Assert.Equal(-1, ginchat.GetProperty("code").GetInt32());
        Assert.Contains("too many sign-in attempts", ginchat.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_spoofed_X_Forwarded_For_from_an_untrusted_address_is_ignored()
    {
        await Register("spoofer", "spoofer-password", avatarUrl: "/avatars/spoofer.png");
        using var client = From("127.0.0.4");

        var signedIn = await GinchatSignIn(client, "spoofer", "spoofer-password", forwardedFor: "203.0.113.50", forwardedProto: "https");
        Assert.Equal("127.0.0.4", signedIn.GetProperty("ClientIp").GetString());
        Assert.StartsWith("http://", await DouyinAvatar(client, signedIn, forwardedProto: "https"));
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_trusted_proxy_is_the_clients_address_for_limits_and_records()
    {
        await Register("behind_proxy", "proxied-password", avatarUrl: "/avatars/proxied.png");
        using var proxy = From(Proxy);

        var signedIn = await GinchatSignIn(proxy, "behind_proxy", "proxied-password", forwardedFor: "203.0.113.7", forwardedProto: "https");
        Assert.Equal("203.0.113.7", signedIn.GetProperty("ClientIp").GetString());
        Assert.StartsWith("https://", await DouyinAvatar(proxy, signedIn, forwardedProto: "https"));

        // Only the hop the proxy added is believed: what the client wrote before it is not.
        signedIn = await GinchatSignIn(proxy, "behind_proxy", "proxied-password", forwardedFor: "6.6.6.6, 203.0.113.8");
        Assert.Equal("203.0.113.8", signedIn.GetProperty("ClientIp").GetString());

        // Limits count per client behind the proxy, not for the proxy as a whole.
        for (var i = 0; i < SignInsPerMinute - 1; i++) await GinchatSignIn(proxy, "behind_proxy", "proxied-password", forwardedFor: "203.0.113.8");
        using var limited = Forwarded(HttpMethod.Post, "/api/v1/auth/login", "203.0.113.8");
        limited.Content = JsonContent.Create(new { username = "behind_proxy", password = "proxied-password" });
        Assert.Equal(HttpStatusCode.TooManyRequests, (await proxy.SendAsync(limited)).StatusCode);
        Assert.Equal("203.0.113.9", (await GinchatSignIn(proxy, "behind_proxy", "proxied-password", forwardedFor: "203.0.113.9")).GetProperty("ClientIp").GetString());
    }

    [Fact]
    public async Task A_configured_origin_may_call_the_API_from_a_browser_and_no_other_origin_may()
    {
        var (_, token) = await Register("cors_user", "cors-password");
        using var client = From("127.0.0.5");

        foreach (var (origin, allowed) in new[] { (AllowedOrigin, true), ("https://evil.example.net", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/users/me");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
            var answer = await client.SendAsync(preflight);
            Assert.Equal(allowed ? origin : null, Header(answer, "Access-Control-Allow-Origin"));
            if (allowed)
            {
                Assert.Equal("true", Header(answer, "Access-Control-Allow-Credentials"));
                Assert.Contains("authorization", Header(answer, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/me");
            request.Headers.Add("Origin", origin);
            request.Headers.Authorization = new("Bearer", token);
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(allowed ? origin : null, Header(response, "Access-Control-Allow-Origin"));
        }
    }

    async Task<(long UserId, string Token)> Register(string username, string password, string? avatarUrl = null)
    {
        using var proxy = From(Proxy);
        using var register = Forwarded(HttpMethod.Post, "/api/v1/auth/register", proxied.NextClientAddress());
        register.Content = JsonContent.Create(new { username, password });
        var body = await (await proxy.SendAsync(register)).Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        if (avatarUrl is not null)
        {
            using var authed = From(Proxy);
            authed.DefaultRequestHeaders.Authorization = new("Bearer", token);
            (await authed.PatchAsJsonAsync("/api/v1/users/me", new { avatarUrl })).EnsureSuccessStatusCode();
        }
        return (body.GetProperty("userId").GetInt64(), token);
    }

    static async Task<JsonElement> GinchatSignIn(HttpClient client, string name, string password, string forwardedFor, string? forwardedProto = null)
    {
        using var request = Forwarded(HttpMethod.Post, "/user/findUserByNameAndPwd", forwardedFor, forwardedProto);
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = name, ["password"] = password });
        var body = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("code").GetInt32() == 0, body.ToString());
        return body.GetProperty("data");
    }

    /// <summary>The user's avatar as douyin renders it: an absolute URL made with the request's scheme.</summary>
    static async Task<string> DouyinAvatar(HttpClient client, JsonElement user, string forwardedProto)
    {
        using var request = Forwarded(HttpMethod.Get, $"/douyin/user/?user_id={user.GetProperty("ID").GetInt64()}", "203.0.113.77", forwardedProto);
        var body = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("user").GetProperty("avatar").GetString()!;
    }

    static HttpRequestMessage Forwarded(HttpMethod method, string path, string forwardedFor, string? forwardedProto = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        return request;
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>A client whose connections come from <paramref name="sourceAddress"/> (any 127.0.0.0/8 address works on Linux).</summary>
    HttpClient From(string sourceAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }
}
