using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GoChat.Tests.Bots;

/// <summary>How a fake reply goes wrong, if it does (the issue's fault modes).</summary>
public enum Fault
{
    None,
    /// <summary>Events written in small pieces cut at arbitrary bytes, inside UTF-8 characters too.</summary>
    SplitBytes,
    /// <summary>Finish chunk and usage, but no "data: [DONE]".</summary>
    NoDone,
    /// <summary>The connection is cut after <see cref="FakeReply.CutAfter"/> content chunks.</summary>
    CutMidStream,
    /// <summary>After <see cref="FakeReply.CutAfter"/> content chunks, an error event instead of the rest.</summary>
    ErrorLine,
    /// <summary>An HTTP error status (<see cref="FakeReply.Status"/>) with an OpenAI-style error body.</summary>
    Status,
}

/// <summary>
/// What the fake answers one request with. <see cref="Profile"/> is whose wire format it replays:
/// "openai", "xai", "ollama" or "llamacpp" (captured shapes of their chat.completion.chunk streams).
/// </summary>
public sealed record FakeReply(
    string Profile = "openai",
    string[]? Pieces = null,
    TimeSpan? ChunkDelay = null,
    Fault Fault = Fault.None,
    int Status = 200,
    string? RetryAfter = null,
    string? ErrorMessage = null,
    string? ErrorCode = null,
    int CutAfter = 2,
    string FinishReason = "stop")
{
    public static readonly string[] DefaultPieces = ["Hello", " there", ", how", " can I", " help?"];

    public string[] Content => Pieces ?? DefaultPieces;

    public string FullText => string.Concat(Content);
}

/// <summary>One request the fake received, and when it ended (its client hung up, or the fake finished).</summary>
public sealed class FakeRequest(JsonNode body, string? authorization, long startedAt)
{
    public JsonNode Body { get; } = body;
    public string? Authorization { get; } = authorization;
    public long StartedAt { get; } = startedAt;
    public long? AbortedAt { get; set; }
    public long? FinishedAt { get; set; }
    public int ChunksWritten { get; set; }

    public IReadOnlyList<(string Role, string Content)> Messages =>
        Body["messages"]!.AsArray().Select(m => ((string)m!["role"]!, m["content"] is JsonValue v ? (string)v! : ContentText(m["content"]))).ToList();

    static string ContentText(JsonNode? content) =>
        content is JsonArray parts ? string.Concat(parts.Select(p => (string?)p?["text"] ?? "")) : "";
}

/// <summary>
/// An OpenAI-compatible chat-completions server (Kestrel on 127.0.0.1) that streams
/// chat.completion.chunk server-sent events exactly as the real APIs do: a role chunk, content
/// chunks, a finish chunk, a usage chunk, "data: [DONE]", each profile with its provider's quirks,
/// and the fault modes of <see cref="Fault"/>. It records every request and when its client hung up.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<FakeRequest> _requests = new();

    /// <summary>Decides each reply (by default the plain OpenAI profile); set it per test.</summary>
    public Func<FakeRequest, FakeReply> Reply { get; set; } = _ => new FakeReply();

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<FakeRequest> Requests => _requests.ToList();

    FakeModelServer(WebApplication app) => _app = app;

    public static async Task<FakeModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeModelServer(app);
        app.MapPost("/v1/chat/completions", server.Complete);
        await app.StartAsync();
        server.Endpoint = new Uri(app.Urls.First().TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived.</summary>
    public async Task<FakeRequest> WaitForRequest(int count = 1, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (_requests.Count < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(_requests.Count >= count, $"expected {count} requests at the fake model, got {_requests.Count}");
        return Requests[count - 1];
    }

    async Task Complete(HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body);
        var request = new FakeRequest(body!, http.Request.Headers.Authorization.ToString(), Stopwatch.GetTimestamp());
        _requests.Enqueue(request);
        var aborted = http.RequestAborted;
        aborted.Register(() => request.AbortedAt ??= Stopwatch.GetTimestamp());
        var reply = Reply(request);
        try
        {
            if (reply.Fault == Fault.Status)
            {
                http.Response.StatusCode = reply.Status;
                if (reply.RetryAfter is { } retryAfter) http.Response.Headers.RetryAfter = retryAfter;
                await http.Response.WriteAsJsonAsync(new
                {
                    error = new { message = reply.ErrorMessage ?? "error", type = reply.Status >= 500 ? "server_error" : "invalid_request_error", param = (string?)null, code = reply.ErrorCode },
                }, aborted);
                return;
            }
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            var profile = Profiles.For(reply.Profile, (string?)body!["model"] ?? "model");
            var random = new Random(42);
            async Task Write(string evt)
            {
                var bytes = Encoding.UTF8.GetBytes(evt);
                if (reply.Fault != Fault.SplitBytes)
                {
                    await http.Response.Body.WriteAsync(bytes, aborted);
                    await http.Response.Body.FlushAsync(aborted);
                    return;
                }
                for (var at = 0; at < bytes.Length;)
                {
                    var length = Math.Min(bytes.Length - at, random.Next(1, 7));
                    await http.Response.Body.WriteAsync(bytes.AsMemory(at, length), aborted);
                    await http.Response.Body.FlushAsync(aborted);
                    at += length;
                    await Task.Delay(1, aborted);
                }
            }
            foreach (var evt in profile.Start()) await Write(evt);
            var written = 0;
            foreach (var piece in reply.Content)
            {
                if (reply.ChunkDelay is { } delay) await Task.Delay(delay, aborted);
                if (written == reply.CutAfter && reply.Fault == Fault.CutMidStream)
                {
                    // A reset drops whatever the client has not read yet: cut once what was sent has been taken in.
                    await Task.Delay(300, aborted);
                    http.Abort();
                    return;
                }
                if (written == reply.CutAfter && reply.Fault == Fault.ErrorLine)
                {
                    await Write("data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
                    return;
                }
                foreach (var evt in profile.Content(piece)) await Write(evt);
                request.ChunksWritten = ++written;
            }
            var usage = new Usage(PromptTokens: 11 * Math.Max(1, request.Messages.Count), CompletionTokens: reply.Content.Length);
            foreach (var evt in profile.Finish(reply.FinishReason, usage)) await Write(evt);
            if (reply.Fault != Fault.NoDone) await Write("data: [DONE]\n\n");
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            request.FinishedAt = Stopwatch.GetTimestamp();
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

public sealed record Usage(int PromptTokens, int CompletionTokens);

/// <summary>The wire shapes of each provider's stream, as they send them (field order, extra fields and all).</summary>
static class Profiles
{
    public abstract class Profile(string model)
    {
        protected readonly string Id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        protected readonly long Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        protected string Model { get; } = model;

        public abstract IEnumerable<string> Start();
        public abstract IEnumerable<string> Content(string piece);
        public abstract IEnumerable<string> Finish(string reason, Usage usage);

        protected static string Data(object value) => "data: " + JsonSerializer.Serialize(value) + "\n\n";
        protected static string Text(string value) => JsonSerializer.Serialize(value);
    }

    public static Profile For(string name, string model) => name switch
    {
        "openai" => new OpenAi(model),
        "xai" => new Xai(model),
        "ollama" => new Ollama(model),
        "llamacpp" => new LlamaCpp(model),
        _ => throw new ArgumentException($"no profile {name}"),
    };

    /// <summary>api.openai.com: role chunk with empty content and refusal null, usage: null on every chunk, a separate usage chunk with empty choices.</summary>
    sealed class OpenAi(string model) : Profile(model)
    {
        string Head => $"{{\"id\":\"{Id}\",\"object\":\"chat.completion.chunk\",\"created\":{Created},\"model\":\"{Model}\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\"";

        public override IEnumerable<string> Start() =>
            [$"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}},\"logprobs\":null,\"finish_reason\":null}}],\"usage\":null}}\n\n"];

        public override IEnumerable<string> Content(string piece) =>
            [$"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Text(piece)}}},\"logprobs\":null,\"finish_reason\":null}}],\"usage\":null}}\n\n"];

        public override IEnumerable<string> Finish(string reason, Usage usage) =>
        [
            $"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{}},\"logprobs\":null,\"finish_reason\":\"{reason}\"}}],\"usage\":null}}\n\n",
            $"data: {Head},\"choices\":[],\"usage\":{{\"prompt_tokens\":{usage.PromptTokens},\"completion_tokens\":{usage.CompletionTokens},\"total_tokens\":{usage.PromptTokens + usage.CompletionTokens},\"prompt_tokens_details\":{{\"cached_tokens\":0,\"audio_tokens\":0}},\"completion_tokens_details\":{{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}}}}\n\n",
        ];
    }

    /// <summary>api.x.ai: a reasoning model streams reasoning_content deltas first (never to be posted), then content; usage with reasoning tokens.</summary>
    sealed class Xai(string model) : Profile(model)
    {
        string Head => $"{{\"id\":\"{Guid.NewGuid()}\",\"object\":\"chat.completion.chunk\",\"created\":{Created},\"model\":\"{Model}\"";

        public override IEnumerable<string> Start() =>
        [
            $"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\"}}}}],\"system_fingerprint\":\"fp_1a5a4ae4bb\"}}\n\n",
            $"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{\"reasoning_content\":\"SECRET-REASONING the user greets me\"}}}}],\"system_fingerprint\":\"fp_1a5a4ae4bb\"}}\n\n",
        ];

        public override IEnumerable<string> Content(string piece) =>
            [$"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{Text(piece)}}}}}],\"system_fingerprint\":\"fp_1a5a4ae4bb\"}}\n\n"];

        public override IEnumerable<string> Finish(string reason, Usage usage) =>
        [
            $"data: {Head},\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"{reason}\"}}],\"system_fingerprint\":\"fp_1a5a4ae4bb\"}}\n\n",
            $"data: {Head},\"choices\":[],\"usage\":{{\"prompt_tokens\":{usage.PromptTokens},\"completion_tokens\":{usage.CompletionTokens},\"total_tokens\":{usage.PromptTokens + usage.CompletionTokens + 7},\"prompt_tokens_details\":{{\"text_tokens\":{usage.PromptTokens},\"audio_tokens\":0,\"image_tokens\":0,\"cached_tokens\":0}},\"completion_tokens_details\":{{\"reasoning_tokens\":7,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"num_sources_used\":0}},\"system_fingerprint\":\"fp_1a5a4ae4bb\"}}\n\n",
        ];
    }

    /// <summary>Ollama's /v1: the role on every chunk, content from the first, a thinking model's "&lt;think&gt;" inside the content.</summary>
    sealed class Ollama(string model) : Profile(model)
    {
        string Chunk(string content, string? finish) =>
            $"data: {{\"id\":\"chatcmpl-{Created % 1000}\",\"object\":\"chat.completion.chunk\",\"created\":{Created},\"model\":\"{Model}\",\"system_fingerprint\":\"fp_ollama\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":{Text(content)}}},\"finish_reason\":{(finish is null ? "null" : $"\"{finish}\"")}}}]}}\n\n";

        public override IEnumerable<string> Start() => [Chunk("<think>\nSECRET-REASONING the", null), Chunk(" user says hi</th", null), Chunk("ink>\n\n", null)];

        public override IEnumerable<string> Content(string piece) => [Chunk(piece, null)];

        public override IEnumerable<string> Finish(string reason, Usage usage) =>
        [
            Chunk("", reason),
            $"data: {{\"id\":\"chatcmpl-{Created % 1000}\",\"object\":\"chat.completion.chunk\",\"created\":{Created},\"model\":\"{Model}\",\"system_fingerprint\":\"fp_ollama\",\"choices\":[],\"usage\":{{\"prompt_tokens\":{usage.PromptTokens},\"completion_tokens\":{usage.CompletionTokens},\"total_tokens\":{usage.PromptTokens + usage.CompletionTokens}}}}}\n\n",
        ];
    }

    /// <summary>llama.cpp's llama-server: content null in the role chunk, usage and timings in the finish chunk itself.</summary>
    sealed class LlamaCpp(string model) : Profile(model)
    {
        string Tail => $"\"created\":{Created},\"id\":\"{Id}\",\"model\":\"{Model}\",\"system_fingerprint\":\"b5210-0f0a5f1a\",\"object\":\"chat.completion.chunk\"";

        public override IEnumerable<string> Start() =>
            [$"data: {{\"choices\":[{{\"finish_reason\":null,\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":null}}}}],{Tail}}}\n\n"];

        public override IEnumerable<string> Content(string piece) =>
            [$"data: {{\"choices\":[{{\"finish_reason\":null,\"index\":0,\"delta\":{{\"content\":{Text(piece)}}}}}],{Tail}}}\n\n"];

        public override IEnumerable<string> Finish(string reason, Usage usage) =>
            [$"data: {{\"choices\":[{{\"finish_reason\":\"{reason}\",\"index\":0,\"delta\":{{}}}}],{Tail},\"usage\":{{\"completion_tokens\":{usage.CompletionTokens},\"prompt_tokens\":{usage.PromptTokens},\"total_tokens\":{usage.PromptTokens + usage.CompletionTokens}}},\"timings\":{{\"prompt_n\":{usage.PromptTokens},\"prompt_ms\":12.5,\"predicted_n\":{usage.CompletionTokens},\"predicted_ms\":40.1}}}}\n\n"];
    }
}
