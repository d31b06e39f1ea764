using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Bench;

public sealed record BenchUser(long UserId, string Token);

public sealed record BenchMessage(long Id, string ConversationId, long Seq, long SenderId, string? Text, string? ClientMsgId);

sealed record AuthBody(long UserId, string Token);
sealed record GroupCreated(long Id, string ConversationId);
sealed record ConversationBody(string Id);

/// <summary>
/// One server under test (GoChat or the baseline) as the clients see it: its REST routes, its hub, and the
/// users registered on it so far (registration hashes passwords on GoChat, so scenarios share users).
/// </summary>
public sealed class Target(string name, Uri baseAddress, ServerProcess? process) : IDisposable
{
    const int RegisterConcurrency = 4;
    readonly List<BenchUser> _users = [];
    readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    public string Name => name;
    public Uri BaseAddress => baseAddress;
    public ServerProcess? Process => process;
    public HttpClient Http { get; } = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The first <paramref name="count"/> users of this target, registering those still missing.</summary>
    public async Task<IReadOnlyList<BenchUser>> UsersAsync(int count)
    {
        if (_users.Count < count)
        {
            var missing = Enumerable.Range(_users.Count, count - _users.Count).ToArray();
            var created = new BenchUser[missing.Length];
            var done = 0;
            await Parallel.ForAsync(0, missing.Length, new ParallelOptions { MaxDegreeOfParallelism = RegisterConcurrency }, async (i, ct) =>
            {
                created[i] = await RegisterAsync($"b{_runId}u{missing[i]}", ct);
                if (Interlocked.Increment(ref done) % 100 == 0) Progress.Line($"  {name}: registered {done}/{missing.Length} users");
            });
            _users.AddRange(created);
        }
        return _users.Take(count).ToList();
    }

    /// <summary>Users of their own, outside the shared pool (for a conversation no other scenario writes to).</summary>
    public async Task<BenchUser[]> FreshUsersAsync(int count, string prefix) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => RegisterAsync($"b{_runId}{prefix}{i}", CancellationToken.None)));

    async Task<BenchUser> RegisterAsync(string username, CancellationToken ct)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/auth/register", new { username, password = "bench-password" }, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<AuthBody>(ct) ?? throw new InvalidOperationException("empty register response");
        return new BenchUser(body.UserId, body.Token);
    }

    public async Task<string> CreateGroupAsync(BenchUser owner, IEnumerable<long> memberIds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups")
        {
            Content = JsonContent.Create(new { name = $"bench {_runId}", memberIds = memberIds.ToArray() }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner.Token);
        var response = await Http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"create group: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<GroupCreated>())!.ConversationId;
    }

    public async Task<string> OpenDirectAsync(BenchUser user, long peerId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/conversations/direct") { Content = JsonContent.Create(new { userId = peerId }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ConversationBody>())!.Id;
    }

    public static string DirectConversationId(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    /// <summary>A hub connection of <paramref name="user"/> (WebSockets, JSON), started and synced, with <paramref name="onMessage"/> on every message event.</summary>
    public async Task<HubConnection> ConnectAsync(BenchUser user, Action<BenchMessage>? onMessage, CancellationToken ct = default)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/chat"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(user.Token);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        if (onMessage is not null) connection.On("message", onMessage);
        await connection.StartAsync(ct);
        await connection.InvokeAsync<object[]>("Sync", ct);
        return connection;
    }

    public static Task<BenchMessage> SendAsync(HubConnection connection, string conversationId, bool measured) =>
        connection.InvokeAsync<BenchMessage>("SendMessage",
            new { conversationId, clientMsgId = Guid.NewGuid().ToString("N"), kind = "text", text = LatencyRecorder.Stamp(measured) });

    public void Dispose() => Http.Dispose();
}
