using GoChat.Grains.Calls;
using GoChat.WebFront.Accounts;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Calls;

/// <summary>Native /api/v1 routes of calls; the calls themselves are set up over the hub (ChatHub.Calls.cs).</summary>
internal static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder routes)
    {
        var calls = routes.MapGroup("/api/v1/calls").WithTags("Calls").RequireAuthorization();
        calls.MapGet("/ice-servers", IceServers);
        return routes;
    }

    /// <summary>STUN and TURN servers for RTCPeerConnection; the TURN credential is the caller's own and expires after CredentialTtl.</summary>
    static IResult IceServers(HttpContext http, IOptions<CallOptions> options, TimeProvider clock, ILoggerFactory loggers)
    {
        var settings = options.Value;
        var userId = http.User.UserId();
        var servers = new List<IceServerDto>();
        if (settings.StunUrls.Count > 0) servers.Add(new IceServerDto(settings.StunUrls));
        if (settings.TurnUrls.Count > 0)
        {
            var (username, credential) = TurnCredentials.Issue(settings.TurnSecret!, userId, clock.GetUtcNow() + settings.CredentialTtl);
            servers.Add(new IceServerDto(settings.TurnUrls, username, credential));
            CallsLog.TurnCredentialIssued(loggers.CreateLogger(typeof(CallsApi)), userId);
        }
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new IceServersDto(servers, (int)settings.CredentialTtl.TotalSeconds));
    }
}
