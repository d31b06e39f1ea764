using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Bots;

/// <summary>
/// A GoChat host with bots on a fake OpenAI-compatible server, and its logs: "grok" (the plain
/// bot), "llama" (a second bot, for bot-to-bot), "strict" (2 questions a minute), "frugal" (a
/// small daily token budget) and "sleepy" (gives up after a second of silence).
/// </summary>
public sealed class BotScene : IAsyncLifetime
{
    public const string ApiKey = "sk-test-5e3c1a9b7d-never-shown";
    public const string SystemPrompt = "You are Grok, answering in a test.";

    public FakeModelServer Model { get; private set; } = null!;
    public GoChatHost Host { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public Dictionary<string, long> Bots { get; } = [];

    public async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        var endpoint = Model.Endpoint.ToString();
        string[] Bot(string name, params string[] extra) =>
        [
            $"--GoChat:Bots:{name}:Provider=openai", $"--GoChat:Bots:{name}:Endpoint={endpoint}", $"--GoChat:Bots:{name}:Model={name}-model",
            $"--GoChat:Bots:{name}:ApiKey={ApiKey}", .. extra,
        ];
        Host = await GoChatHost.StartAsync(null, Logs.AttachTo,
        [
            .. Bot("grok", "--GoChat:Bots:grok:DisplayName=Grok", $"--GoChat:Bots:grok:SystemPrompt={SystemPrompt}", "--GoChat:Bots:grok:RequestsPerMinutePerUser=1000"),
            .. Bot("llama", "--GoChat:Bots:llama:DisplayName=Llama Bot", "--GoChat:Bots:llama:RequestsPerMinutePerUser=1000"),
            .. Bot("strict", "--GoChat:Bots:strict:RequestsPerMinutePerUser=2"),
            .. Bot("frugal", "--GoChat:Bots:frugal:DailyTokenBudget=30"),
            .. Bot("sleepy", "--GoChat:Bots:sleepy:IdleTimeout=00:00:01"),
        ]);
        var (_, token) = await Host.RegisterAsync("bot-lister");
        using var http = Host.Client(token);
        foreach (var bot in (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!)
            Bots[bot.GetProperty("username").GetString()!] = bot.GetProperty("userId").GetInt64();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Model.DisposeAsync();
    }
}
