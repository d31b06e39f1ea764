namespace GoChat.Bench.Baseline;

public sealed record RegisterBody(string? Username, string? Password);
public sealed record GroupBody(string? Name, long[]? MemberIds);

/// <summary>The baseline server: Kestrel on 127.0.0.1, the relay hub and the two REST routes the bench calls.</summary>
public static class BaselineServer
{
    public const string ServeFlag = "--serve-baseline";

    /// <summary>Starts the baseline as a child process (this same program with <see cref="ServeFlag"/>), so it is measured like GoChat.</summary>
    public static Task<ServerProcess> StartAsync() =>
        ServerProcess.StartAsync("baseline", typeof(BaselineServer).Assembly.Location, [ServeFlag], "/readyz", TimeSpan.FromSeconds(30));

    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args.Where(a => a != ServeFlag).ToArray());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<BaselineState>();
        builder.Services.AddSignalR();
        var app = builder.Build();

        app.MapGet("/readyz", () => "Healthy");
        app.MapPost("/api/v1/auth/register", (RegisterBody body, BaselineState state) =>
        {
            var id = state.NewUser();
            return Results.Created($"/api/v1/users/{id}", new { userId = id, token = id.ToString(), user = new { id, username = body.Username } });
        });
        app.MapPost("/api/v1/groups", (GroupBody body, HttpRequest request, BaselineState state) =>
        {
            var owner = long.Parse(request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal));
            var members = (body.MemberIds ?? []).Append(owner).ToArray();
            var id = state.NewGroup(members);
            return Results.Created($"/api/v1/groups/{id}", new { id, name = body.Name, ownerId = owner, memberCount = members.Length, conversationId = $"g:{id}" });
        });
        app.MapHub<BaselineHub>("/hubs/chat");
        await app.RunAsync();
    }
}
