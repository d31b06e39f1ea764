using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Operations;
using Microsoft.AspNetCore.Builder;

namespace GoChat.Tests.Operations;

/// <summary>
/// ASP.NET Core's own ways to choose where the WebFront listens work, as a newcomer or a container
/// image would use them; http://localhost:8080 applies only when none is used.
/// </summary>
public sealed class ListenAddressTests
{
    static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ASPNETCORE_URLS_chooses_the_address_over_the_default()
    {
        var url = new Uri($"http://127.0.0.1:{GoChatProcess.FreePort()}");
        using var gochat = await GoChatProcess.StartInProjectFolderAsync(url, await Environment(("ASPNETCORE_URLS", url.ToString())), ReadyWithin, "--GoChat:Silo:Port=0");
        Assert.Contains($"GoChat is ready at {url.ToString().TrimEnd('/')}", gochat.Output);
    }

    [Fact]
    public async Task Kestrel_endpoints_from_the_environment_choose_the_address()
    {
        var url = new Uri($"http://127.0.0.1:{GoChatProcess.FreePort()}");
        using var gochat = await GoChatProcess.StartInProjectFolderAsync(url, await Environment(("Kestrel__Endpoints__Http__Url", url.ToString())), ReadyWithin, "--GoChat:Silo:Port=0");
        Assert.DoesNotContain("Overriding address", gochat.Output);
    }

    [Fact]
    public void With_nothing_configured_the_WebFront_listens_on_localhost_8080()
    {
        // Read from the configuration the WebFront builds, rather than binding 8080 on a shared machine.
        Assert.Equal("http://localhost:8080", UrlsAfterDefault([]));
    }

    [Theory]
    [InlineData("--urls=http://127.0.0.1:9000", "http://127.0.0.1:9000")]
    [InlineData("--http_ports=9000", null)]
    [InlineData("--https_ports=9443", null)]
    [InlineData("--Kestrel:Endpoints:Http:Url=http://127.0.0.1:9000", null)]
    public void Any_address_setting_of_ASP_NET_Core_leaves_the_default_out(string setting, string? urls)
    {
        Assert.Equal(urls, UrlsAfterDefault([setting]));
    }

    /// <summary>The urls setting of a WebFront builder over the WebFront's own folder (its appsettings.json) after GoChat's default.</summary>
    static string? UrlsAfterDefault(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Repository.PathOf("WebFront") });
        builder.UseDefaultListenAddressUnlessConfigured();
        return builder.Configuration["urls"];
    }

    static async Task<Dictionary<string, string?>> Environment(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => (string?)v.Value);
        environment["ConnectionStrings__GoChat"] = await TestDatabase.CreateAsync();
        return environment;
    }
}
