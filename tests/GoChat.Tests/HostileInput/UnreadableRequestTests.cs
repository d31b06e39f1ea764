using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.HostileInput;

/// <summary>A native request the server cannot read gets a 4xx problem saying what to fix, never a 500 or the framework's type names.</summary>
public sealed class UnreadableRequestTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_valid_JSON_body_in_a_charset_the_server_cannot_decode_is_refused_with_415_on_every_JSON_route()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        using var client = _host.Client(alice);
        (HttpMethod Method, string Url, string Body)[] routes =
        [
            (HttpMethod.Post, "/api/v1/auth/register", """{"username":"carol","password":"secret-pw"}"""),
            (HttpMethod.Post, "/api/v1/auth/login", """{"username":"alice","password":"secret-pw"}"""),
            (HttpMethod.Patch, "/api/v1/users/me", """{"signature":"hi"}"""),
            (HttpMethod.Post, "/api/v1/contacts", $$"""{"userId":{{bobId}}}"""),
            (HttpMethod.Post, "/api/v1/groups", """{"name":"g"}"""),
            (HttpMethod.Post, $"/api/v1/conversations/d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}/messages", """{"clientMsgId":"c1","kind":"text","text":"hi"}"""),
        ];
        foreach (var (method, url, body) in routes)
        {
            using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=x-bogus");
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{method} {url}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("charset 'x-bogus' is not supported", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
        }

        // Nothing was done; the same bodies in UTF-8 (named or not) work.
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>("/api/v1/groups"))!);
        using var utf8 = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups") { Content = new StringContent("""{"name":"g"}""", Encoding.UTF8, "application/json") };
        Assert.Equal("utf-8", utf8.Content.Headers.ContentType?.CharSet);
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(utf8)).StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/v1/auth/register", """{"username":1,"password":"secret-pw"}""", "the value at $.username has the wrong type")]
    [InlineData("POST", "/api/v1/auth/register", """{"username":"a\ud800","password":"secret-pw"}""", "the value at $.username has the wrong type or is not valid text")]
    [InlineData("POST", "/api/v1/auth/register", """["alice"]""", "the value at $ has the wrong type")]
    [InlineData("POST", "/api/v1/auth/register", """{"username":""", "not valid JSON")]
    [InlineData("POST", "/api/v1/groups", """{"name":"g","memberIds":"all"}""", "the value at $.memberIds has the wrong type")]
    [InlineData("GET", "/api/v1/users?limit=many", "", "limit must be a whole number")]
    [InlineData("GET", "/api/v1/conversations/d:1:2/messages?afterSeq=zz", "", "afterSeq must be a whole number")]
    public async Task A_body_or_parameter_that_does_not_fit_its_route_is_described_without_naming_types(string method, string url, string body, string detail)
    {
        var (_, alice) = await _host.RegisterAsync("alice");
        using var client = _host.Client(alice);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body.Length > 0) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(detail, problem);
        foreach (var internals in new[] { "GoChat", "System.", "Request", "Nullable", "Int32", "Int64", "long", "int?" })
            Assert.DoesNotContain(internals, problem);
    }
}
