using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Operations;

public sealed class OperationsTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync(settings: "--GoChat:Security:SignInPermitsPerMinute=3");
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Health_endpoints_report_alive_and_ready()
    {
        using var client = _host.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_and_the_reference_page_are_served()
    {
        using var client = _host.Client();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/users/me", "/douyin/user/register", "/user/createUser" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        var page = await client.GetAsync("/api-reference/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api-reference/scalar.js")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_address_in_each_dialects_own_words()
    {
        using var client = _host.Client();
        for (var i = 0; i < 3; i++)
            await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "someone", password = "whatever" });
        var native = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "someone", password = "whatever" });
        Assert.Equal(HttpStatusCode.TooManyRequests, native.StatusCode);
        Assert.Equal("application/problem+json", native.Content.Headers.ContentType?.MediaType);

        var douyin = await client.PostAsync("/douyin/user/login/?username=someone&password=whatever", null);
        Assert.Equal(HttpStatusCode.OK, douyin.StatusCode);
        Assert.NotEqual(0, (await douyin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status_code").GetInt32());

        var ginchat = await client.PostAsync("/user/findUserByNameAndPwd", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "x", ["password"] = "y" }));
        Assert.Equal(HttpStatusCode.OK, ginchat.StatusCode);
        Assert.Equal(-1, (await ginchat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32());

        // routes that check no password are not limited
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
