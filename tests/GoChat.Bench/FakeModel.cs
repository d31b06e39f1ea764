using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace GoChat.Bench;

/// <summary>
/// An OpenAI-compatible chat-completions server for the bots scenario (Kestrel on 127.0.0.1, in the
/// bench process, so its clock is the clients'): streams <see cref="Chunks"/> content chunks every
/// <see cref="ChunkInterval"/> in the chat.completion.chunk shape, and records when it sent each
/// question's first content chunk (the question is the last user message's text).
/// </summary>
public sealed class FakeModel : IAsyncDisposable
{
    public const int Chunks = 100;
    public static readonly TimeSpan ChunkInterval = TimeSpan.FromMilliseconds(20);

    readonly WebApplication _app;

    /// <summary>Question text -> Stopwatch timestamp of its first content chunk, flushed.</summary>
    public ConcurrentDictionary<string, long> FirstChunkAt { get; } = new();
    public int Requests => _requests;
    int _requests;

    public Uri Endpoint { get; private set; } = null!;

    FakeModel(WebApplication app) => _app = app;

    public static async Task<FakeModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new FakeModel(app);
        app.MapPost("/v1/chat/completions", model.Complete);
        await app.StartAsync();
        model.Endpoint = new Uri(app.Urls.First().TrimEnd('/') + "/v1");
        return model;
    }

    async Task Complete(HttpContext http)
    {
        Interlocked.Increment(ref _requests);
        var body = await JsonNode.ParseAsync(http.Request.Body);
        var question = (string?)body!["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"] ?? "";
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        var head = $"{{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()},\"model\":\"bench\"";
        async Task Write(string json)
        {
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {json}\n\n"), ct);
            await http.Response.Body.FlushAsync(ct);
        }
        try
        {
            await Write($"{head},\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"\"}},\"finish_reason\":null}}]}}");
            for (var i = 0; i < Chunks; i++)
            {
                await Task.Delay(ChunkInterval, ct);
                await Write($"{head},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"tok{i} \"}},\"finish_reason\":null}}]}}");
                if (i == 0) FirstChunkAt.TryAdd(question, Stopwatch.GetTimestamp());
            }
            await Write($"{head},\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}]}}");
            await Write($"{head},\"choices\":[],\"usage\":{{\"prompt_tokens\":20,\"completion_tokens\":{Chunks},\"total_tokens\":{20 + Chunks}}}}}");
            await http.Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
