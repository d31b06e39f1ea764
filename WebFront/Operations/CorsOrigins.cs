using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Operations;

/// <summary>
/// Cross-origin access (GoChat:Cors). Closed by default: the web client is served by GoChat itself,
/// so browsers let no other site's scripts read GoChat's answers. Listing origins lets the web
/// pages of those sites call the API and the hub with the user's token.
/// </summary>
internal sealed class CorsOptions
{
    public const string Section = "GoChat:Cors";

    /// <summary>Origins allowed, comma-separated, each scheme://host[:port] (https://chat.example.com).</summary>
    public string Origins { get; set; } = "";

    public string[] OriginList => Origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class CorsOptionsValidator : IValidateOptions<CorsOptions>
{
    public ValidateOptionsResult Validate(string? name, CorsOptions options)
    {
        var bad = options.OriginList.FirstOrDefault(o => !IsOrigin(o));
        return new Settings.Check(CorsOptions.Section)
            .Require(bad is null, nameof(options.Origins),
                $"must be origins separated by commas, each scheme://host[:port] with no path, such as https://chat.example.com ('{bad}' is not one)")
            .Result;
    }

    static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.GetLeftPart(UriPartial.Authority).Equals(origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
        && string.IsNullOrEmpty(uri.UserInfo);
}

internal static class CorsOrigins
{
    const string Policy = "gochat-origins";

    public static IServiceCollection AddCorsOrigins(this IServiceCollection services)
    {
        services.AddSettings<CorsOptions, CorsOptionsValidator>(CorsOptions.Section);
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<CorsOptions>>((cors, gochat) =>
            cors.AddPolicy(Policy, policy => policy
                .WithOrigins(gochat.Value.OriginList.Select(o => o.TrimEnd('/')).ToArray())
                .AllowAnyHeader()
                .AllowAnyMethod()
                // SignalR's browser client sends credentials with negotiate.
                .AllowCredentials()
                .WithExposedHeaders("Location", "Retry-After", "Content-Disposition")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }

    /// <summary>Answers cross-origin requests from the configured origins only; with none, adds nothing.</summary>
    public static IApplicationBuilder UseCorsOrigins(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<CorsOptions>>().Value.OriginList.Length == 0 ? app : app.UseCors(Policy);
}
