using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.WebClient;

/// <summary>
/// The web client is served for its page routes only: API routes keep their own 404s, and its
/// assets come from the build's wwwroot (copied beside the test assembly by the normal build).
/// </summary>
public sealed partial class WebClientServingTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/index")]
    [InlineData("/toRegister")]
    [InlineData("/toChat")]
    [InlineData("/toChat?userId=1&token=abc")]
    [InlineData("/videos")]
    [InlineData("/admin")]
    public async Task Page_routes_serve_the_client_with_its_security_headers(string path)
    {
        using var client = _host.Client();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<div id=\"app\"></div>", html);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoCache);
    }

    [Fact]
    public async Task The_assets_the_page_names_are_served_and_cached_for_good()
    {
        using var client = _host.Client();
        var html = await client.GetStringAsync("/");
        var assets = AssetPattern().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await client.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("immutable", response.Headers.CacheControl?.ToString());
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 0, asset);
        }
    }

    [Theory]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/api/v1/media/1/nothing")]
    [InlineData("/douyin/nothing/")]
    [InlineData("/user/nothing")]
    [InlineData("/contact/nothing")]
    [InlineData("/toChat/deeper")]
    [InlineData("/assets/missing.js")]
    public async Task Unknown_routes_are_404s_not_the_client(string path)
    {
        using var client = _host.Client();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("<div id=\"app\">", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Operational_routes_still_answer_beside_the_client()
    {
        using var client = _host.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api-reference/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Douyin_routes_take_the_token_as_a_bearer_header_so_the_client_keeps_it_out_of_urls()
    {
        var (userId, token) = await _host.RegisterAsync("webdouyin");
        using var client = _host.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await client.GetFromJsonAsync<JsonElement>("/douyin/user/");
        Assert.Equal(0, me.GetProperty("status_code").GetInt32());
        Assert.Equal(userId, me.GetProperty("user").GetProperty("id").GetInt64());

        // A token field still wins over the header, and a bad bearer token is refused in the dialect's words.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        var refused = await client.GetFromJsonAsync<JsonElement>("/douyin/user/");
        Assert.NotEqual(0, refused.GetProperty("status_code").GetInt32());
        var withField = await client.GetFromJsonAsync<JsonElement>($"/douyin/user/?token={Uri.EscapeDataString(token)}");
        Assert.Equal(0, withField.GetProperty("status_code").GetInt32());
    }

    [GeneratedRegex("(?:src|href)=\"(/assets/[^\"]+)\"")]
    private static partial Regex AssetPattern();
}
