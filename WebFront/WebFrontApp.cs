using GoChat.Grains.Configuration;
using GoChat.Silo;
using GoChat.Silo.Health;
using GoChat.Silo.Telemetry;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Admin;
using GoChat.WebFront.Apis;
using GoChat.WebFront.Bots;
using GoChat.WebFront.Calls;
using GoChat.WebFront.Media;
using GoChat.WebFront.Operations;
using GoChat.WebFront.Realtime;
using GoChat.WebFront.Videos;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Scalar.AspNetCore;

namespace GoChat.WebFront;

/// <summary>Builds the WebFront: ASP.NET Core with a co-hosted GoChat silo.</summary>
internal static class WebFrontApp
{
    /// <param name="configure">For tests: adds to the builder before the host is built (a log capture, say).</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = WebClient.ClientRoot() });
        builder.UseDefaultListenAddressUnlessConfigured();
        configure?.Invoke(builder);
        await builder.AddGoChatSiloAsync();
        builder.AddWebFrontServices();
        var app = builder.Build();
        app.MapWebFront();
        app.Lifetime.ApplicationStarted.Register(() => OperationsLog.Ready(app.Logger, string.Join(", ", app.Urls)));
        return app;
    }

    public static void AddWebFrontServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SigningKey>();
        services.AddHostedService<SigningKeyWarmUp>();
        services.AddHealthChecks().AddCheck<SigningKeyCheck>("signing-key", tags: [SiloSetup.ReadyTag]);
        services.AddSingleton<TokenService>();
        services.AddSingleton<AccountService>();
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "GoChat API";
            document.Info.Description = "Native /api/v1 routes, plus the douyin (/douyin/) and ginchat compatibility routes. " +
                "Native errors are RFC 7807 problem details; authenticate with 'Authorization: Bearer <token>'.";
            return Task.CompletedTask;
        }));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddAccountPolicies();
        services.AddAdministratorsPolicy();
        services.AddSettings<WebFrontOptions, WebFrontOptionsValidator>(WebFrontOptions.Section);
        services.AddSettings<JwtOptions, JwtOptionsValidator>(JwtOptions.Section);
        services.AddSettings<DeliveryOptions, DeliveryOptionsValidator>(DeliveryOptions.Section);
        services.AddGoChatRateLimits();
        services.AddAbuseLimits();
        services.AddTrustedProxies();
        services.AddCorsOrigins();
        services.AddGoChatMedia();
        services.AddSingleton<UserViews>();
        services.AddSingleton<DouyinUsers>();
        services.AddSingleton<DouyinVideos>();
        services.AddSingleton<VideoPublisher>();
        services.AddSingleton<ConversationViews>();
        services.AddSingleton<LiveCalls>();
        services.AddSingleton<DeliveryMetrics>();
        services.AddSingleton<HubDispatch>();
        services.AddSingleton<RouteTable>();
        services.AddSingleton<RouteListeners>();
        services.AddSingleton<HubConnections>();
        services.AddSingleton<SessionRevocation>();
        services.AddSingleton<GoChat.Grains.Chat.ILocalChatReceiver>(sp => sp.GetRequiredService<RouteTable>());
        services.AddSingleton<RouteLease>();
        services.AddHostedService(sp => sp.GetRequiredService<RouteLease>());
        // Outermost first: a failure the database filter turns into "try again" is not one to log as an error.
        services.AddSignalR(o =>
        {
            o.AddFilter<HubMethodFailures>();
            o.AddFilter<DatabaseOutageHubFilter>();
        }).AddMessagePackProtocol().AddMessageSizeLimit();
        builder.Logging.AddFilter(HubMethodFailures.DispatcherCategory, LogLevel.Critical);
        services.AddHostedService<DemoData>();
        services.AddAdministration();
    }

    public static void MapWebFront(this WebApplication app)
    {
        // First: everything after sees the client's real address (rate limits, metrics) and answers with the security headers.
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseCorsOrigins();
        app.UseRequestBodyLimit();
        app.UseNodeHeader();
        app.MapGoChatMetrics();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = StatusFor,
            ExceptionHandler = WriteProblem,
            // A request the client could not make readable is its error, not the server's: not logged as one (the framework logs it at Debug).
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        app.UseDialectStatusPages();
        app.UseJsonCharsetCheck();
        app.UseShutdownRefusals();
        app.UseWebClientFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });

        app.MapGoChatHealth();
        app.MapGoChatDashboard();
        app.MapOpenApi();
        app.MapScalarApiReference("/api-reference", o => o.WithTitle("GoChat API"));
        app.MapWebClient();

        app.MapNativeAccountsApi();
        app.MapNativeAccountLifecycleApi();
        app.MapAdminApi();
        app.MapNativeMediaApi();
        app.MapDouyinApi();
        app.MapGinchatApi();
        app.MapNativeConversationsApi();
        app.MapNativeGroupsApi();
        app.MapCallsApi();
        app.MapBotApi();
        app.MapHub<ChatHub>("/hubs/chat");
        app.MapGinchatSockets();
    }

    /// <summary>Bad input never becomes a 500: a request the framework could not bind is a 400 saying why.</summary>
    static int StatusFor(Exception e) => e switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when DatabaseOutage.TryAgainFor(e) is not null => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    static async Task WriteProblem(HttpContext http)
    {
        var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        var (status, detail) = error switch
        {
            BadHttpRequestException bad => (bad.StatusCode, UnreadableRequests.Describe(bad)),
            _ when DatabaseOutage.TryAgain(error, http.RequestServices) is { } words => (StatusCodes.Status503ServiceUnavailable, words),
            _ => (StatusCodes.Status500InternalServerError, "the server could not complete this request"),
        };
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "1";
        await DialectErrors.WriteAsync(http, status, detail);
    }
}
