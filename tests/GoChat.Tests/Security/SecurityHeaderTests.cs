using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;

namespace GoChat.Tests.Security;

/// <summary>A WebFront with GoChat's default settings and one account, shared by the tests of a class.</summary>
public sealed class DefaultHost : IAsyncLifetime
{
    public GoChatHost Host { get; private set; } = null!;
    public string Token { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Host = await GoChatHost.StartAsync();
        (_, Token) = await Host.RegisterAsync("header_reader");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>What every response tells the browser, with GoChat's default settings.</summary>
public sealed class SecurityHeaderTests(DefaultHost shared) : IClassFixture<DefaultHost>
{
    GoChatHost Host => shared.Host;
    string Token => shared.Token;

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("GET", "/api-reference/")]
    [InlineData("GET", "/api/v1/users/me")]
    [InlineData("GET", "/api/v1/nothing-here")]
    [InlineData("GET", "/douyin/feed/")]
    [InlineData("POST", "/user/getUserList")]
    [InlineData("POST", "/hubs/chat/negotiate?negotiateVersion=1")]
    public async Task Every_answer_forbids_sniffing_framing_and_referrers(string method, string path)
    {
        using var client = Host.Client(path.Contains("negotiate") ? Token : null);
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
    }

    [Fact]
    public async Task The_web_client_page_runs_only_its_own_scripts()
    {
        using var client = Host.Client();
        var policy = Header(await client.GetAsync("/"), "Content-Security-Policy")!;
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());

        Assert.Equal(["'self'"], directives["default-src"]);
        Assert.Equal(["'self'"], directives["script-src"]);
        Assert.Equal(["'none'"], directives["object-src"]);
        Assert.Equal(["'none'"], directives["base-uri"]);
        Assert.Equal(["'self'"], directives["form-action"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.DoesNotContain("'unsafe-eval'", policy);
        Assert.DoesNotContain("*", policy);
        Assert.DoesNotContain("data:", directives.GetValueOrDefault("script-src") ?? []);
        // Inline styles are the one allowance (the client's components set style attributes); never inline script.
        Assert.Equal(["'self'", "'unsafe-inline'"], directives["style-src"]);
    }

    [Fact]
    public async Task Cross_origin_reads_are_closed_when_no_origin_is_configured()
    {
        using var client = Host.Client(Token);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/users/me");
        preflight.Headers.Add("Origin", "https://chat.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        Assert.Null(Header(await client.SendAsync(preflight), "Access-Control-Allow-Origin"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/me");
        request.Headers.Add("Origin", "https://chat.example.com");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Uploaded_images_show_in_place_and_cannot_script_our_origin()
    {
        using var client = Host.Client(Token);
        var url = (await MediaTests.Upload(client, MediaTests.TinyPng(), "image/png", "photo.png")).GetProperty("url").GetString();
        var content = await client.GetAsync(url);

        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("photo.png", content.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal("nosniff", Header(content, "X-Content-Type-Options"));
        Assert.StartsWith("sandbox", Header(content, "Content-Security-Policy"));
    }

    [Theory]
    [InlineData("<html><script>alert(document.cookie)</script></html>", "text/html", "page.html")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "application/octet-stream", "logo.svg")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "text/xml", "logo.svg")]
    public async Task Html_and_svg_are_only_ever_downloads(string markup, string declaredType, string name)
    {
        using var client = Host.Client(Token);
        var uploaded = await MediaTests.Upload(client, System.Text.Encoding.UTF8.GetBytes(markup), declaredType, name);
        Assert.Equal("application/octet-stream", uploaded.GetProperty("contentType").GetString());

        var content = await client.GetAsync(uploaded.GetProperty("url").GetString());
        Assert.Equal("application/octet-stream", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(name, content.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal("nosniff", Header(content, "X-Content-Type-Options"));
        Assert.StartsWith("sandbox", Header(content, "Content-Security-Policy"));
    }

    [Fact]
    public async Task Svg_declared_as_an_image_is_refused()
    {
        using var client = Host.Client(Token);
        var response = await client.PostAsync("/api/v1/media",
            MediaTests.Form("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray(), "image/svg+xml", "logo.svg"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a PNG, JPEG, GIF or WebP image", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}
