using System.Globalization;
using GoChat.Grains;
using GoChat.Grains.Bots;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Apis;

namespace GoChat.WebFront.Bots;

/// <summary>Native /api/v1 routes for bots: which there are, and (administrators) the tokens they used.</summary>
internal static class BotApi
{
    const int MaxDays = 366;

    public static IEndpointRouteBuilder MapBotApi(this IEndpointRouteBuilder routes)
    {
        var bots = routes.MapGroup("/api/v1/bots").WithTags("Bots").RequireAuthorization();
        bots.MapGet("/", List);
        bots.MapGet("/usage", Usage);
        return routes;
    }

    static BotDto[] List(BotDirectory bots) =>
        bots.All.OrderBy(b => b.Username, StringComparer.OrdinalIgnoreCase)
            .Select(b => new BotDto(b.UserId, b.Username, b.DisplayName, b.Settings.Provider,
                b.Settings.Provider == BotSettings.OpenAi ? b.Settings.Model ?? "" : Path.GetFileName(b.Settings.ModelPath ?? ""), b.Unavailable is null))
            .ToArray();

    static async Task<IResult> Usage(string? days, HttpContext http, IGrainFactory grains, BotStore store)
    {
        if (await grains.GetGrain<IUserGrain>(http.User.UserId()).GetProfile() is not { IsAdmin: true })
            return DomainError.Forbidden("only administrators see bot usage").ToProblem();
        var count = 7;
        if (days is not null && (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxDays))
            return NativeProblems.BadRequest($"days must be 1-{MaxDays}");
        var since = DateTime.UtcNow.Date.AddDays(1 - count);
        var rows = await store.Usage(since);
        return Results.Ok(rows.Select(r => new BotUsageDto(r.BotId, r.Username, r.DisplayName, r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            r.PromptTokens, r.CompletionTokens, r.PromptTokens + r.CompletionTokens, r.Replies)).ToArray());
    }
}
