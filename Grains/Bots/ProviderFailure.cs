using System.ClientModel;
using System.Globalization;
using System.Net;

namespace GoChat.Grains.Bots;

/// <summary>
/// Why a model request failed, in words for the people in the conversation (never the provider's
/// raw error, which may carry anything), and whether and when GoChat asks again.
/// </summary>
internal sealed record ProviderFailure(string Kind, string Notice, TimeSpan? RetryAfter = null, bool ContextTooLong = false)
{
    /// <summary>Longest Retry-After that GoChat waits out by itself; a longer one ends the reply with the wait in words.</summary>
    static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(2);
    static readonly TimeSpan LoadingWait = TimeSpan.FromSeconds(1);

    public static ProviderFailure From(Exception e, Bot bot)
    {
        var name = bot.DisplayName;
        if (e is ClientResultException result)
        {
            var retryAfter = RetryAfterOf(result);
            var body = BodyOf(result);
            return result.Status switch
            {
                401 or 403 => new("unauthorized", $"{name} could not answer: its AI provider refused GoChat's API key. An administrator needs to check the bot's settings."),
                404 => new("unknown-model", $"{name} could not answer: its AI provider does not know the model '{bot.Settings.Model}'. An administrator needs to check the bot's settings."),
                400 or 413 when LooksLikeContextLength(body) => new("context-too-long",
                    $"{name} could not answer: this conversation is too long for its model. Try again with a shorter message.", ContextTooLong: true),
                400 or 413 or 422 => new("bad-request", $"{name} could not answer: its AI provider refused the request ({result.Status})."),
                429 => new("rate-limited", $"{name}'s AI provider is rate limiting GoChat; try again in {InWords(retryAfter ?? TimeSpan.FromMinutes(1))}.",
                    retryAfter is { } wait && wait <= LongestWait ? wait : null),
                503 => new("unavailable", $"{name}'s model is loading or unavailable just now; try again in {InWords(retryAfter is { } r && r > LongestWait ? r : TimeSpan.FromMinutes(1))}.",
                    retryAfter is null ? LoadingWait : retryAfter <= LongestWait ? retryAfter : null),
                >= 500 => new("provider-error", $"{name}'s AI provider had an error ({result.Status}); try again later.", LoadingWait),
                _ => new("provider-error", $"{name}'s AI provider answered with an error ({result.Status})."),
            };
        }
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError })
            return new("unreachable", $"{name} could not reach its AI provider; try again later.", LoadingWait);
        if (e is IOException or HttpRequestException or HttpIOException)
            return new("stream-cut", $"{name}'s connection to its AI provider was cut mid-reply; what arrived is kept.");
        if (e is System.Text.Json.JsonException or FormatException)
            return new("stream-error", $"{name}'s AI provider sent something GoChat could not read, and the reply ended; what arrived is kept.");
        return new("error", $"{name} could not finish this reply because of an unexpected error; what arrived is kept.");
    }

    public static ProviderFailure Idle(Bot bot) =>
        new("idle", $"{bot.DisplayName}'s AI provider stopped sending for {InWords(bot.Settings.IdleTimeout)}, so the reply ended; what arrived is kept.");

    public static ProviderFailure EndedEarly(Bot bot) =>
        new("ended-early", $"{bot.DisplayName}'s AI provider ended the reply before it was finished; what arrived is kept.");

    public static ProviderFailure StreamError(Bot bot) =>
        new("stream-error", $"{bot.DisplayName}'s AI provider reported an error mid-reply; what arrived is kept.");

    public static ProviderFailure Interrupted(string name) =>
        new("interrupted", $"{name}'s reply was interrupted (the server answering it stopped); what arrived is kept.");

    static TimeSpan? RetryAfterOf(ClientResultException e)
    {
        var response = e.GetRawResponse();
        if (response is null || !response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0) return TimeSpan.FromSeconds(Math.Min(seconds, 86_400));
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        return null;
    }

    static string BodyOf(ClientResultException e)
    {
        try
        {
            return (e.GetRawResponse()?.Content?.ToString() ?? "") + " " + e.Message;
        }
        catch (InvalidOperationException)
        {
            return e.Message; // an unbuffered body that was never read
        }
    }

    /// <summary>OpenAI and vLLM ("maximum context length", context_length_exceeded), llama-server ("exceeds the available context size"), xAI ("maximum prompt length").</summary>
    static bool LooksLikeContextLength(string body) =>
        body.Contains("context", StringComparison.OrdinalIgnoreCase) || body.Contains("prompt length", StringComparison.OrdinalIgnoreCase)
        || body.Contains("too many tokens", StringComparison.OrdinalIgnoreCase);

    internal static string InWords(TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        if (seconds < 60) return seconds == 1 ? "1 second" : $"{seconds} seconds";
        var minutes = (int)Math.Ceiling(seconds / 60.0);
        return minutes == 1 ? "a minute" : $"{minutes} minutes";
    }
}
