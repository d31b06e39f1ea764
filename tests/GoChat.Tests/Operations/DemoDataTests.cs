using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Operations;

public sealed class DemoDataTests
{
    [Fact]
    public async Task Demo_data_gives_a_first_time_user_a_living_chat_once()
    {
        string connectionString;
        var dataDir = TestDatabase.NewTempDirectory("gochat-demo");
        await using (var host = await GoChatHost.StartAsync(settings: ["--GoChat:DemoData=true", $"--GoChat:DataDir={dataDir}"]))
        {
            connectionString = host.ConnectionString;
            using var client = host.Client();
            var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "alice", password = "gochat-demo" });
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
            using var alice = host.Client(token);
            var conversations = await alice.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations");
            Assert.Contains(conversations!, c => c.GetProperty("kind").GetString() == "group" && c.GetProperty("lastSeq").GetInt64() == 3);
            Assert.Contains(conversations!, c => c.GetProperty("kind").GetString() == "direct" && c.GetProperty("title").GetString() == "Bob");
            Assert.Equal(2, (await alice.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!.Length);
            var feed = await client.GetFromJsonAsync<JsonElement>("/douyin/feed/");
            Assert.Equal("Welcome to GoChat", feed.GetProperty("video_list")[0].GetProperty("title").GetString());
        }
        await using (var again = await GoChatHost.StartAsync(connectionString, "--GoChat:DemoData=true", $"--GoChat:DataDir={dataDir}"))
            Assert.Equal(4L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM users"));
    }
}
