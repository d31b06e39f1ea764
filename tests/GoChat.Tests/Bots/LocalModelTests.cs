using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Grains.Bots;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace GoChat.Tests.Bots;

/// <summary>
/// A bot on a local GGUF file, run in-process by LLamaSharp, on a tiny random-weight LLaMA model
/// the test writes itself: loaded, streamed through the same path as hosted models, capped at
/// MaxOutputTokens, cancellable; a broken file leaves that bot unavailable and GoChat running.
/// </summary>
public sealed class LocalModelTests
{
    [Fact]
    public async Task A_bot_on_a_local_GGUF_file_streams_its_reply_through_the_hub_capped_at_MaxOutputTokens_and_cancellable()
    {
        var dir = TestDatabase.NewTempDirectory("gochat-gguf");
        var model = Path.Combine(dir, "tiny-llama.gguf");
        TinyLlamaGguf.Write(model);
        Assert.InRange(new FileInfo(model).Length, 100_000, 1_000_000);
        var logs = new CapturedLogs();
        await using var host = await GoChatHost.StartAsync(null, logs.AttachTo,
            "--GoChat:Bots:tiny:Provider=llamasharp", $"--GoChat:Bots:tiny:ModelPath={model}", "--GoChat:Bots:tiny:ContextSize=512",
            "--GoChat:Bots:tiny:MaxOutputTokens=12", "--GoChat:Bots:tiny:Temperature=0", "--GoChat:Bots:tiny:DisplayName=Tiny");
        var (_, token) = await host.RegisterAsync("alice-tiny");
        using var http = host.Client(token);
        var bot = Assert.Single((await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!);
        Assert.True(bot.GetProperty("available").GetBoolean(), string.Join("\n", logs.Lines.Where(l => l.Contains("[8004]"))));
        var botId = bot.GetProperty("userId").GetInt64();
        var opened = await http.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = botId });
        var conversation = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var client = await ChatClient.ConnectAsync(host, token);

        await client.Send(conversation, "t1", "hello model");
        var finished = await client.WaitFor("messageUpdated", m => m.GetProperty("seq").GetInt64() == 2 && m.GetProperty("status").GetString() != "streaming", TimeSpan.FromSeconds(60));
        Assert.Equal(JsonValueKind.Null, finished.GetProperty("status").ValueKind);
        var text = finished.GetProperty("text").GetString()!;
        Assert.NotEmpty(text);
        Assert.NotEmpty(client.Events("messageStreaming"));
        var stored = (await http.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/{conversation}/messages"))!;
        Assert.Equal(text, stored[1].GetProperty("text").GetString());

        // The same client the bot uses: never more tokens than MaxOutputTokens, and a cancel ends it at once.
        var local = host.Services.GetRequiredService<BotDirectory>().Get(botId)!.Client!;
        List<Microsoft.Extensions.AI.ChatMessage> prompt = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "hello")];
        var updates = 0;
        await foreach (var update in local.GetStreamingResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 12, Temperature = 0 }))
            if (update.Text.Length > 0) updates++;
        Assert.InRange(updates, 1, 12);

        using var cancel = new CancellationTokenSource();
        var received = 0;
        var cancelled = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in local.GetStreamingResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 400, Temperature = 0 }, cancel.Token))
            {
                if (update.Text.Length == 0) continue;
                if (++received == 1)
                {
                    cancelled.Restart();
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(1), $"cancelling took {cancelled.Elapsed}");
        Assert.True(received < 400);
    }

    [Fact]
    public async Task A_missing_or_corrupt_model_file_is_a_clear_start_up_error_for_that_bot_and_GoChat_runs_without_it()
    {
        var dir = TestDatabase.NewTempDirectory("gochat-gguf");
        var corrupt = Path.Combine(dir, "corrupt.gguf");
        var truncated = Path.Combine(dir, "truncated.gguf");
        await File.WriteAllBytesAsync(corrupt, [.. "GGUF"u8, .. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))]);
        var whole = Path.Combine(dir, "whole.gguf");
        TinyLlamaGguf.Write(whole);
        await File.WriteAllBytesAsync(truncated, (await File.ReadAllBytesAsync(whole))[..60_000]);
        var logs = new CapturedLogs();
        await using var host = await GoChatHost.StartAsync(null, logs.AttachTo,
            "--GoChat:Bots:broken:Provider=llamasharp", $"--GoChat:Bots:broken:ModelPath={corrupt}",
            "--GoChat:Bots:cut:Provider=llamasharp", $"--GoChat:Bots:cut:ModelPath={truncated}",
            "--GoChat:Bots:gone:Provider=llamasharp", $"--GoChat:Bots:gone:ModelPath={Path.Combine(dir, "nothing-here.gguf")}");

        var errors = logs.Lines.Where(l => l.Contains("[8004]")).ToList();
        Assert.Contains(errors, l => l.Contains("Bot broken cannot answer") && l.Contains("could not be loaded"));
        Assert.Contains(errors, l => l.Contains("Bot cut cannot answer") && l.Contains("could not be loaded"));
        Assert.Contains(errors, l => l.Contains("Bot gone cannot answer") && l.Contains("does not exist"));

        var (_, token) = await host.RegisterAsync("alice-broken");
        using var http = host.Client(token);
        var bots = (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!;
        Assert.All(bots, b => Assert.False(b.GetProperty("available").GetBoolean()));
        var broken = bots.Single(b => b.GetProperty("username").GetString() == "broken").GetProperty("userId").GetInt64();
        var opened = await http.PostAsJsonAsync("/api/v1/conversations/direct", new { userId = broken });
        var conversation = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var client = await ChatClient.ConnectAsync(host, token);
        await client.Send(conversation, "b1", "are you there?");
        var reply = await client.WaitFor("messageUpdated", m => m.GetProperty("seq").GetInt64() == 2 && m.GetProperty("status").GetString() != "streaming");
        Assert.Equal("failed", reply.GetProperty("status").GetString());
        Assert.Equal("broken cannot answer just now: its model file could not be loaded.", reply.GetProperty("notice").GetString());
        Assert.DoesNotContain(dir, reply.GetRawText()); // no file path to the people chatting
    }
}
