using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Bots;

/// <summary>Bots are users made from configuration: found like people, unable to sign in, disabled when removed.</summary>
public sealed class BotUserTests
{
    [Fact]
    public async Task Configured_bots_become_users_marked_as_bots_and_a_removed_bot_is_disabled_with_its_user_kept()
    {
        await using var model = await FakeModelServer.StartAsync();
        string[] Grok(string displayName) =>
        [
            "--GoChat:Bots:grok:Provider=openai", $"--GoChat:Bots:grok:Endpoint={model.Endpoint}", "--GoChat:Bots:grok:Model=grok-4",
            $"--GoChat:Bots:grok:DisplayName={displayName}",
        ];
        long grokId;
        string connectionString;
        await using (var host = await GoChatHost.StartAsync(null, [.. Grok("Grok"), "--GoChat:Bots:ollie:Provider=openai",
            $"--GoChat:Bots:ollie:Endpoint={model.Endpoint}", "--GoChat:Bots:ollie:Model=llama3.2"]))
        {
            connectionString = host.ConnectionString;
            var (_, token) = await host.RegisterAsync("alice");
            using var http = host.Client(token);
            var found = (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/users?search=gro"))!;
            var grok = Assert.Single(found);
            Assert.True(grok.GetProperty("isBot").GetBoolean());
            Assert.Equal("Grok", grok.GetProperty("displayName").GetString());
            grokId = grok.GetProperty("id").GetInt64();
            var bots = (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!;
            Assert.Equal(["grok", "ollie"], bots.Select(b => b.GetProperty("username").GetString()));

            // A bot has no password: nothing signs in as it.
            using var anonymous = host.Client();
            var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = "grok", password = "anything-1" });
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        // Started again with grok renamed and ollie gone: the same user, updated; ollie disabled, its user kept.
        await using (var host = await GoChatHost.StartAsync(connectionString, Grok("Grok 4")))
        {
            var (_, token) = await host.RegisterAsync("bob");
            using var http = host.Client(token);
            var grok = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/users/{grokId}"))!;
            Assert.Equal("Grok 4", grok.GetProperty("displayName").GetString());
            Assert.Equal(["grok"], (await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!.Select(b => b.GetProperty("username").GetString()));
            Assert.True(Assert.Single((await http.GetFromJsonAsync<JsonElement[]>("/api/v1/users?search=ollie"))!).GetProperty("isBot").GetBoolean());
            Assert.False(await Sql.ScalarAsync<bool>(connectionString, "SELECT enabled FROM bots JOIN users ON users.id = bots.user_id WHERE username = 'ollie'"));
            Assert.True(await Sql.ScalarAsync<bool>(connectionString, "SELECT enabled FROM bots JOIN users ON users.id = bots.user_id WHERE username = 'grok'"));
        }
    }

    [Fact]
    public async Task A_bot_whose_name_belongs_to_a_person_is_not_started_and_GoChat_starts_without_it()
    {
        await using var model = await FakeModelServer.StartAsync();
        var connectionString = await TestDatabase.CreateAsync();
        await using (var first = await GoChatHost.StartAsync(connectionString))
            await first.RegisterAsync("grok");
        await using var host = await GoChatHost.StartAsync(connectionString, "--GoChat:Bots:grok:Provider=openai",
            $"--GoChat:Bots:grok:Endpoint={model.Endpoint}", "--GoChat:Bots:grok:Model=grok-4");
        var (_, token) = await host.RegisterAsync("carol");
        using var http = host.Client(token);
        Assert.Empty((await http.GetFromJsonAsync<JsonElement[]>("/api/v1/bots"))!);
        Assert.False(Assert.Single((await http.GetFromJsonAsync<JsonElement[]>("/api/v1/users?search=grok"))!).GetProperty("isBot").GetBoolean());
    }
}
