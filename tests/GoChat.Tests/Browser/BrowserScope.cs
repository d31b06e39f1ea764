using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace GoChat.Tests.Browser;

/// <summary>
/// The browser side of one test: the contexts (one per person) it opened, closed at the end, and a
/// screenshot of every open page saved under the test output (browser-failures/) when the test fails.
/// </summary>
public sealed class BrowserScope : IAsyncDisposable
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>Where failure screenshots go: beside the test assembly, so CI and a developer find them in the test output.</summary>
    public static string FailureDirectory => Path.Combine(AppContext.BaseDirectory, "browser-failures");

    readonly Chromium _chromium;
    readonly string _testName;
    readonly List<(string Who, IBrowserContext Context, IPage Page)> _people = [];

    static BrowserScope() => Assertions.SetDefaultExpectTimeout(20_000);

    BrowserScope(Chromium chromium, string testName)
    {
        _chromium = chromium;
        _testName = testName;
    }

    /// <summary>Runs <paramref name="body"/>; if it throws, every page it opened is photographed before the failure is reported.</summary>
    public static async Task RunAsync(Chromium chromium, Func<BrowserScope, Task> body, [CallerMemberName] string testName = "")
    {
        await using var scope = new BrowserScope(chromium, testName);
        try
        {
            await body(scope);
        }
        catch (Exception failure)
        {
            var saved = await scope.ScreenshotAllAsync();
            string network;
            lock (scope._network) network = string.Join("\n  ", scope._network);
            throw new BrowserTestFailure($"{failure.Message}\nscreenshots: {string.Join(", ", saved)}\npage errors: {string.Join(" | ", scope.PageErrors)}\nnetwork (failed requests, errors, sockets):\n  {network}", failure);
        }
    }

    /// <summary>Errors thrown by page scripts, across every page of the test (also used to prove injected markup never ran).</summary>
    public List<string> PageErrors { get; } = [];

    /// <summary>What went wrong on the wire (failed requests, error statuses, sockets opening and closing), reported with a failure.</summary>
    readonly List<string> _network = [];

    void Note(string who, string what)
    {
        lock (_network)
            if (_network.Count < 200) _network.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {who}: {Redacted(what)}");
    }

    /// <summary>A hub URL carries the session's token (access_token=...); a failure report in CI's log must not.</summary>
    internal static string Redacted(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"((?:access_)?token=)[^&\s]+", "$1[redacted]", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    /// <summary>A new person: an isolated browser context (own storage, own session) with one page.</summary>
    public async Task<ChatPage> OpenAsync(Uri baseAddress, string who, ViewportSize? viewport = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString().TrimEnd('/'),
            ViewportSize = viewport ?? Desktop,
            ColorScheme = colorScheme,
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => { lock (PageErrors) PageErrors.Add($"{who}: {error}"); };
        page.RequestFailed += (_, request) => Note(who, $"{request.Method} {request.Url} failed: {request.Failure}");
        page.Response += (_, response) => { if (response.Status >= 400) Note(who, $"{response.Request.Method} {response.Url} -> {response.Status}"); };
        page.WebSocket += (_, socket) =>
        {
            Note(who, $"socket open {socket.Url}");
            socket.Close += (_, _) => Note(who, $"socket closed {socket.Url}");
        };
        _people.Add((who, context, page));
        return new ChatPage(page, who);
    }

    async Task<List<string>> ScreenshotAllAsync()
    {
        var saved = new List<string>();
        Directory.CreateDirectory(FailureDirectory);
        foreach (var (who, _, page) in _people)
        {
            var file = Path.Combine(FailureDirectory, $"{_testName}-{who}.png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true, Timeout = 10_000 });
                saved.Add(file);
            }
            catch (PlaywrightException e)
            {
                saved.Add($"{who}: no screenshot ({e.Message.Split('\n')[0]})");
            }
        }
        return saved;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, context, _) in _people)
        {
            try { await context.CloseAsync(); }
            catch (PlaywrightException) { }
        }
    }
}

public sealed class BrowserTestFailure(string message, Exception inner) : Exception(message, inner);
