using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Bots;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Accounts;

/// <summary>
/// One GoChat host shared by a test class, with its logs, whose first account ("root") is its
/// administrator by the first-account rule. Tests name their own accounts, so they share it safely.
/// </summary>
public sealed class AccountScene : IAsyncLifetime
{
    public GoChatHost Host { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public long RootId { get; private set; }
    public string RootToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // The export test sends more than one export page (500) from one account, past the default burst.
        Host = await GoChatHost.StartAsync(null, Logs.AttachTo, GoChatHost.RaisedAccountLimits);
        (RootId, RootToken) = await Host.RegisterAsync("root", "root-password");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public HttpClient Client(string? token = null) => Host.Client(token);

    public async Task<HttpResponseMessage> Login(string username, string password, string? userAgent = null)
    {
        using var client = Host.Client();
        if (userAgent is not null) client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
    }

    /// <summary>Signs in natively and returns the new session's token.</summary>
    public async Task<string> Token(string username, string password, string? userAgent = null)
    {
        var response = await Login(username, password, userAgent);
        var body = await Body(response);
        Assert.True(response.IsSuccessStatusCode, $"login {username}: {(int)response.StatusCode} {body}");
        return body.GetProperty("token").GetString()!;
    }

    public async Task<JsonElement> Me(string token)
    {
        using var client = Host.Client(token);
        return (await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me"))!;
    }

    public static async Task<JsonElement> Body(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The problem's detail, after checking the answer is problem JSON with this status.</summary>
    public static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
    }

    public static async Task<JsonElement> DouyinLogin(HttpClient client, string username, string password) =>
        await LegacyDialectAccountTests.Douyin(client, HttpMethod.Post, "/douyin/user/login/",
            new Dictionary<string, string> { ["username"] = username, ["password"] = password });

    public static async Task<JsonElement> GinchatLogin(HttpClient client, string name, string password) =>
        await LegacyDialectAccountTests.Ginchat(client, "/user/findUserByNameAndPwd",
            new Dictionary<string, string> { ["name"] = name, ["password"] = password });
}

/// <summary>A hub connection and a ginchat socket of one user, opened with one token: what a session ending must close.</summary>
public sealed class LiveConnections : IAsyncDisposable
{
    static readonly TimeSpan Promptly = TimeSpan.FromSeconds(2);

    readonly TaskCompletionSource _hubClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public required ChatClient Hub { get; init; }
    public required ClientWebSocket Socket { get; init; }

    public static async Task<LiveConnections> OpenAsync(GoChatHost host, long userId, string token)
    {
        var hub = await ChatClient.ConnectAsync(host, token);
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(new Uri(host.BaseAddress, $"/user/sendUserMsg?userId={userId}&token={token}")) { Scheme = "ws" }.Uri,
            CancellationToken.None);
        var connections = new LiveConnections { Hub = hub, Socket = socket };
        hub.Connection.Closed += _ =>
        {
            connections._hubClosed.TrySetResult();
            return Task.CompletedTask;
        };
        return connections;
    }

    /// <summary>The server closed both within two seconds: the hub client saw its connection close, the socket got 1008.</summary>
    public async Task AssertClosedPromptly()
    {
        await _hubClosed.Task.WaitAsync(Promptly);
        Assert.Equal(HubConnectionState.Disconnected, Hub.Connection.State);
        using var timeout = new CancellationTokenSource(Promptly);
        var buffer = new byte[16 * 1024];
        var result = await Socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
        Assert.True(result.MessageType == WebSocketMessageType.Close, $"received {Encoding.UTF8.GetString(buffer, 0, result.Count)} instead of a close");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, Socket.CloseStatus);
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Socket.Dispose();
    }
}
