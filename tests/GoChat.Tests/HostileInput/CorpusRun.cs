using System.Collections.Concurrent;
using System.Text.Json;

namespace GoChat.Tests.HostileInput;

/// <summary>Sends corpus cases over one HttpClient, many at a time, and checks every answer (<see cref="DialectAnswers"/>).</summary>
public sealed class CorpusRun
{
    int _sent;
    readonly ConcurrentQueue<string> _failures = new();
    readonly ConcurrentDictionary<string, int> _tally = new();
    readonly ConcurrentQueue<string> _accepted = new();

    public int Sent => _sent;
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>The cases whose answer was a success (a refused input was accepted, or the input changed nothing to refuse).</summary>
    public IReadOnlyCollection<string> Accepted => _accepted;

    /// <summary>How many requests of each dialect were refused and how many accepted.</summary>
    public string Tally => string.Join(", ", _tally.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}"));

    public static HttpClient Client(Uri baseAddress) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 16, AllowAutoRedirect = false, UseCookies = false })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <param name="token">The sender's token, asked for before each request (it may be revoked by an earlier one).</param>
    public async Task SendAsync(HttpClient client, IEnumerable<CorpusCase> cases, Func<Task<string>> token, int parallelism)
    {
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (corpusCase, _) =>
        {
            if (await SendOneAsync(client, corpusCase, await token()) is { } failure) _failures.Enqueue($"{corpusCase}: {failure}");
        });
    }

    /// <summary>Sends one case; null when its answer was right, else why not.</summary>
    public async Task<string?> SendOneAsync(HttpClient client, CorpusCase corpusCase, string token)
    {
        using var request = corpusCase.Build(token);
        Interlocked.Increment(ref _sent);
        try
        {
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = (int)response.StatusCode;
            if (!Count(corpusCase.Dialect, status, body)) _accepted.Enqueue($"{corpusCase} -> {status} {DialectAnswers.Shorten(System.Text.Encoding.UTF8.GetString(body))}");
            if (corpusCase.Method == "HEAD") return status >= 500 ? $"HTTP {status}" : null;
            return DialectAnswers.Check(corpusCase.Dialect, request.RequestUri!.AbsolutePath, status, response.Content.Headers.ContentType?.MediaType, body,
                corpusCase.TransportRefusal, corpusCase.RoutingRefusal);
        }
        catch (HttpRequestException e)
        {
            return $"the connection dropped ({e.Message})";
        }
        catch (TaskCanceledException)
        {
            return "no answer within a minute";
        }
    }

    /// <summary>Counts the answer as refused or accepted; true when refused.</summary>
    bool Count(Dialect dialect, int status, byte[] body)
    {
        var refused = status >= 400;
        if (!refused && dialect is Dialect.Douyin or Dialect.Ginchat)
            try
            {
                var json = JsonDocument.Parse(body).RootElement;
                refused = json.ValueKind == JsonValueKind.Object
                    && new[] { "status_code", "code", "Code" }.Any(name => json.TryGetProperty(name, out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0);
            }
            catch (JsonException)
            {
            }
        _tally.AddOrUpdate($"{dialect} {(refused ? "refused" : "accepted")}", 1, (_, n) => n + 1);
        return refused;
    }
}
