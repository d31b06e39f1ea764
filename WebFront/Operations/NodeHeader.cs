using Orleans.Runtime;

namespace GoChat.WebFront.Operations;

/// <summary>
/// Every response names the node that answered it (GoChat:Silo:Name, the host name by default), so
/// whoever runs several WebFronts behind a proxy can tell which one served a request or a hub
/// connection.
/// </summary>
public static class NodeHeader
{
    public const string Name = "X-GoChat-Node";

    public static void UseNodeHeader(this WebApplication app)
    {
        var node = app.Services.GetRequiredService<ILocalSiloDetails>().Name;
        app.Use((http, next) =>
        {
            // When the response starts: an error page replaces the headers set before it.
            http.Response.OnStarting(() =>
            {
                http.Response.Headers[Name] = node;
                return Task.CompletedTask;
            });
            return next(http);
        });
    }
}
