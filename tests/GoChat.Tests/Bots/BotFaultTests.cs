using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Bots;

/// <summary>
/// Every provider's stream shape, and every way a provider fails, end a reply with the right
/// words and nothing that arrived lost; the API key shows up nowhere but in the request to the provider.
/// </summary>
public sealed class BotFaultTests(BotScene scene) : IClassFixture<BotScene>
{
    [Theory]
    [InlineData("openai")]
    [InlineData("xai")]
    [InlineData("ollama")]
    [InlineData("llamacpp")]
    public async Task Each_providers_stream_becomes_the_reply_without_its_reasoning(string profile)
    {
        var (finished, requests, streamed) = await Ask("grok", new FakeReply(profile));
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("status").ValueKind);
        Assert.Equal(new FakeReply().FullText, finished.GetProperty("text").GetString());
        Assert.Equal(1, requests);
        Assert.DoesNotContain(streamed, s => s.Contains("SECRET-REASONING") || s.Contains("think>"));
    }

    [Fact]
    public async Task Events_split_at_arbitrary_bytes_even_inside_a_character_arrive_whole()
    {
        string[] pieces = ["Grüße", " aus", " 東京", " 😀🎉", " — done"];
        var (finished, _, _) = await Ask("grok", new FakeReply(Pieces: pieces, Fault: Fault.SplitBytes));
        Assert.Equal(string.Concat(pieces), finished.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("status").ValueKind);
    }

    [Fact]
    public async Task A_stream_without_DONE_that_finished_is_a_complete_reply()
    {
        var (finished, _, _) = await Ask("grok", new FakeReply(Fault: Fault.NoDone));
        Assert.Equal(new FakeReply().FullText, finished.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("status").ValueKind);
    }

    [Fact]
    public async Task A_connection_cut_mid_stream_ends_the_reply_failed_with_what_arrived()
    {
        var (finished, requests, _) = await Ask("grok", new FakeReply(Fault: Fault.CutMidStream, CutAfter: 2));
        Assert.Equal("failed", finished.GetProperty("status").GetString());
        Assert.Equal("Hello there", finished.GetProperty("text").GetString());
        Assert.Matches("connection to its AI provider was cut|ended the reply before it was finished", finished.GetProperty("notice").GetString());
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task An_error_event_mid_stream_ends_the_reply_failed_with_what_arrived()
    {
        var (finished, _, _) = await Ask("grok", new FakeReply(Fault: Fault.ErrorLine, CutAfter: 3));
        Assert.Equal("failed", finished.GetProperty("status").GetString());
        Assert.Equal("Hello there, how", finished.GetProperty("text").GetString());
        Assert.Contains("what arrived is kept", finished.GetProperty("notice").GetString());
    }

    [Theory]
    [InlineData(401, null, "invalid_api_key", "Incorrect API key provided", "refused GoChat's API key", 1)]
    [InlineData(404, null, "model_not_found", "The model `grok-model` does not exist", "does not know the model 'grok-model'", 1)]
    [InlineData(400, null, "context_length_exceeded", "This model's maximum context length is 8192 tokens", "too long for its model", 1)]
    [InlineData(429, "30", "rate_limit_exceeded", "Rate limit reached", "try again in 30 seconds", 1)]
    [InlineData(429, "1", "rate_limit_exceeded", "Rate limit reached", "try again in 1 second", 3)]
    [InlineData(503, null, null, "Model is loading", "loading or unavailable", 3)]
    public async Task An_error_status_ends_the_reply_with_words_saying_what_happened_after_at_most_our_own_retries(
        int status, string? retryAfter, string? code, string message, string notice, int expectedRequests)
    {
        var (finished, requests, _) = await Ask("grok", new FakeReply(Fault: Fault.Status, Status: status, RetryAfter: retryAfter, ErrorCode: code, ErrorMessage: message));
        Assert.Equal("failed", finished.GetProperty("status").GetString());
        Assert.Contains(notice, finished.GetProperty("notice").GetString());
        Assert.Equal("", finished.GetProperty("text").GetString());
        Assert.Equal(expectedRequests, requests);
    }

    [Fact]
    public async Task A_slow_stream_still_completes_and_one_slower_than_the_idle_timeout_ends_failed_with_what_arrived()
    {
        var slow = new FakeReply(Pieces: ["slow", " but", " steady"], ChunkDelay: TimeSpan.FromMilliseconds(700));
        var (finished, _, _) = await Ask("grok", slow);
        Assert.Equal("slow but steady", finished.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("status").ValueKind);

        // sleepy gives up after a second without a chunk.
        var stalled = await Ask("sleepy", new FakeReply(Pieces: ["zz"], ChunkDelay: TimeSpan.FromSeconds(3)));
        Assert.Equal("failed", stalled.Finished.GetProperty("status").GetString());
        Assert.Contains("stopped sending for 1 second", stalled.Finished.GetProperty("notice").GetString());
    }

    [Fact]
    public async Task The_API_key_appears_in_no_log_response_or_event()
    {
        var (token, conversation, client) = await Person();
        await using var connected = client;
        scene.Model.Reply = _ => new FakeReply();
        await client.Send(conversation, "k1", "hello");
        await Finished(client, conversation, 2);
        scene.Model.Reply = _ => new FakeReply(Fault: Fault.Status, Status: 401, ErrorMessage: $"Incorrect API key provided: {BotScene.ApiKey}");
        await client.Send(conversation, "k2", "again");
        await Finished(client, conversation, 4);
        Assert.Equal($"Bearer {BotScene.ApiKey}", scene.Model.Requests[^1].Authorization); // it did reach the provider

        using var http = scene.Host.Client(token);
        var responses = new List<string>();
        foreach (var route in new[] { "/api/v1/bots", "/api/v1/users?search=", $"/api/v1/users/{scene.Bots["grok"]}", "/api/v1/conversations",
                     $"/api/v1/conversations/{conversation}/messages", "/openapi/v1.json" })
            responses.Add(await http.GetStringAsync(route));
        var events = new[] { "message", "messageUpdated", "messageStreaming", "typing" }.SelectMany(client.Events).Select(e => e.GetRawText());
        var logs = scene.Logs.Lines;
        Assert.NotEmpty(logs);
        Assert.Contains(logs, l => l.Contains("[8010]")); // the failure was logged, without the key
        foreach (var place in responses.Concat(events).Concat(logs))
            Assert.DoesNotContain(BotScene.ApiKey, place);
        Assert.DoesNotContain(logs, l => l.Contains("5e3c1a9b7d"));
    }

    async Task<(JsonElement Finished, int Requests, List<string> Streamed)> Ask(string bot, FakeReply reply)
    {
        var (_, conversation, client) = await Person(bot);
        await using var connected = client;
        scene.Model.Reply = _ => reply;
        var before = scene.Model.Requests.Count;
        await client.Send(conversation, "q", "Hello?");
        var finished = await Finished(client, conversation, 2);
        var streamed = client.Events("messageStreaming").Select(e => e.GetProperty("text").GetString()!).Append(finished.GetProperty("text").GetString()!).ToList();
        return (finished, scene.Model.Requests.Count - before, streamed);
    }

    async Task<(string Token, string Conversation, ChatClient Client)> Person(string bot = "grok")
    {
        var (_, token) = await scene.Host.RegisterAsync($"p{Interlocked.Increment(ref _people)}-{Guid.NewGuid().ToString("N")[..6]}");
        using var http = scene.Host.Client(token);
        var opened = await http.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = scene.Bots[bot] });
        var conversation = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return (token, conversation, await ChatClient.ConnectAsync(scene.Host, token));
    }

    static int _people;

    static Task<JsonElement> Finished(ChatClient client, string conversation, long seq) =>
        client.WaitFor("messageUpdated", m => m.GetProperty("conversationId").GetString() == conversation && m.GetProperty("seq").GetInt64() == seq
            && m.GetProperty("status").GetString() != "streaming", TimeSpan.FromSeconds(30));
}
