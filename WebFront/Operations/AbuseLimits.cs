using GoChat.Grains.Limits;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Operations;

/// <summary>
/// The abuse limits of GoChat:Limits on the WebFront: per-account allowances (kept by user grains,
/// <see cref="MessagePermits"/> and <see cref="UploadAllowance"/> are their silo-side ends), the
/// largest request body, and the largest real-time message (<see cref="HubMessageSizeLimit"/>; the
/// ginchat sockets read the same setting).
/// </summary>
internal static class AbuseLimits
{
    public static IServiceCollection AddAbuseLimits(this IServiceCollection services)
    {
        services.AddSingleton<MessagePermits>();
        services.AddSingleton<UploadAllowance>();
        services.AddOptions<HubOptions>().Configure<IOptions<LimitsOptions>>((hub, limits) => hub.MaximumReceiveMessageSize = limits.Value.WebSocketMessageBytes);
        services.Configure<ProblemDetailsOptions>(o =>
        {
            var before = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                before?.Invoke(context);
                // A JSON body over the limit is refused by Kestrel as it is read; the answer is otherwise a bare 413.
                if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && string.IsNullOrEmpty(context.ProblemDetails.Detail)
                    && context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max)
                    context.ProblemDetails.Detail = $"the request body is too large: this route accepts at most {max} bytes";
            };
        });
        return services;
    }

    /// <summary>
    /// Every request body is limited to GoChat:Limits:RequestBodyBytes (the upload routes raise their
    /// own to the largest media limit). Kestrel refuses a larger one with 413 as it is read, which each
    /// dialect answers in its own shape.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app)
    {
        var maxBytes = app.ApplicationServices.GetRequiredService<IOptions<LimitsOptions>>().Value.RequestBodyBytes;
        return app.Use((http, next) =>
        {
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body) body.MaxRequestBodySize = maxBytes;
            return next(http);
        });
    }
}
