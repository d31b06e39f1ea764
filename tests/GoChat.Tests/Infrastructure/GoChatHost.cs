using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.WebFront;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using GoChat.Grains.Users;
using Orleans.Core.Internal;
using Orleans.Runtime;

namespace GoChat.Tests.Infrastructure;

/// <summary>
/// A real WebFront (Kestrel on 127.0.0.1, a co-hosted Orleans silo) over a real PostgreSQL
/// database, started in this process.
/// </summary>
public sealed class GoChatHost : IAsyncDisposable
{
    readonly WebApplication _app;

    public string ConnectionString { get; }
    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;

    GoChatHost(WebApplication app, string connectionString)
    {
        _app = app;
        ConnectionString = connectionString;
        BaseAddress = new Uri(app.Urls.First());
    }

    /// <summary>
    /// Per-account limits (GoChat:Limits) raised past anything a test does, for a test that drives one
    /// account harder than a person would (the limits themselves are tested in Security/AbuseLimitTests).
    /// </summary>
    public static readonly string[] RaisedAccountLimits =
    [
        "--GoChat:Limits:MessagesPerSecond=100000", "--GoChat:Limits:MessageBurst=100000",
        "--GoChat:Limits:GroupsPerDay=100000", "--GoChat:Limits:UploadsPerHour=100000",
    ];

    /// <summary>Starts a host over a new database, or over <paramref name="connectionString"/> to restart on existing data.</summary>
    public static Task<GoChatHost> StartAsync(string? connectionString = null, params string[] settings) =>
        StartAsync(connectionString, null, settings);

    /// <summary>As above, with <paramref name="configure"/> applied to the builder (a log capture, say).</summary>
    public static async Task<GoChatHost> StartAsync(string? connectionString, Action<WebApplicationBuilder>? configure, params string[] settings)
    {
        connectionString ??= await TestDatabase.CreateAsync();
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--ConnectionStrings:GoChat={connectionString}",
            "--GoChat:Security:SignInPermitsPerMinute=100000",
            "--GoChat:Silo:Port=0",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            .. settings,
        ];
        var app = await WebFrontApp.CreateAsync(args, configure);
        await app.StartAsync();
        return new GoChatHost(app, connectionString);
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Registers a user through the native API and returns its id and token.</summary>
    public async Task<(long UserId, string Token)> RegisterAsync(string username, string password = "secret-pw", string? displayName = null)
    {
        using var client = Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new { username, password, displayName });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"register {username}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("userId").GetInt64(), json.RootElement.GetProperty("token").GetString()!);
    }

    /// <summary>
    /// Deactivates every delivery route grain, as when the silo holding them dies: the WebFront
    /// attachments they kept in memory are forgotten until the WebFronts attach again.
    /// </summary>
    public Task DeactivateRouteGrainsAsync() => DeactivateGrainsAsync(RouteGrainType);

    /// <summary>
    /// Deactivates the given users' grains, connected or not (a connected user's grain asks to stay
    /// active), as when the silo holding them dies: the presence they kept in memory is forgotten
    /// until the WebFronts report their connections again.
    /// </summary>
    public async Task DeactivateUserGrainsAsync(IEnumerable<long> userIds)
    {
        var grains = Services.GetRequiredService<IGrainFactory>();
        foreach (var userId in userIds)
            await grains.GetGrain<IUserGrain>(userId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ActivationsAsync(UserGrainType) > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(0, await ActivationsAsync(UserGrainType));
    }

    public Task<int> RouteGrainActivationsAsync() => ActivationsAsync(RouteGrainType);

    /// <summary>Activations of grains of a class (".UserGrain,": the end of its full name), on the given silos or all.</summary>
    public async Task<int> ActivationsAsync(string grainType, params SiloAddress[] silos)
    {
        var management = Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var statistics = silos.Length == 0 ? await management.GetSimpleGrainStatistics() : await management.GetSimpleGrainStatistics(silos);
        return statistics.Where(s => s.GrainType.Contains(grainType, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    public const string RouteGrainType = ".ChatRouteGrain,";
    public const string UserGrainType = ".UserGrain,";

    async Task DeactivateGrainsAsync(string grainType)
    {
        var management = Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ActivationsAsync(grainType) > 0 && DateTime.UtcNow < deadline)
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            await Task.Delay(100);
        }
        Assert.Equal(0, await ActivationsAsync(grainType));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        // Orleans' ADO.NET providers (and the tests' own SQL) pool connections by connection string,
        // beyond the host's life: close them, or a whole run piles idle sessions on the shared test
        // server until it refuses new ones ("too many clients").
        using var pooled = new Npgsql.NpgsqlConnection(ConnectionString);
        Npgsql.NpgsqlConnection.ClearPool(pooled);
    }
}
