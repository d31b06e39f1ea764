using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Accounts;

public sealed class RestartTests
{
    [Fact]
    public async Task Accounts_and_profiles_survive_a_restart_of_the_host()
    {
        string connectionString;
        long id;
        await using (var first = await GoChatHost.StartAsync())
        {
            connectionString = first.ConnectionString;
            (id, var token) = await first.RegisterAsync("quinn", "quinn-pw", "Quinn Q.");
            using var client = first.Client(token);
            Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync("/api/v1/users/me", new { signature = "still here" })).StatusCode);
        }

        await using var second = await GoChatHost.StartAsync(connectionString);
        using var anonymous = second.Client();
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = "quinn", password = "quinn-pw" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, body.GetProperty("userId").GetInt64());
        var user = body.GetProperty("user");
        Assert.Equal("Quinn Q.", user.GetProperty("displayName").GetString());
        Assert.Equal("still here", user.GetProperty("signature").GetString());
        // the username is still guarded after the restart
        var again = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { username = "Quinn", password = "other-pw" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }
}
