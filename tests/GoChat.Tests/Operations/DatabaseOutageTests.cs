using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Operations;

/// <summary>
/// When PostgreSQL ends the server's sessions (a restart, a failover), the legacy routes still answer
/// in their own envelope, saying to try again, and work again at the next attempt.
/// </summary>
public sealed class DatabaseOutageTests
{
    const string TryAgain = "the database is not reachable just now; try again";

    [Fact]
    public async Task Douyin_and_ginchat_routes_that_meet_a_dropped_database_connection_answer_try_again_in_their_dialect()
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, token) = await host.RegisterAsync("outage_olga");
        using var http = host.Client();
        Assert.Equal(0, (await DouyinFeed(http)).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await GinchatUserList(http, token)).GetProperty("code").GetInt32());

        // A route's first read after the database ended every session meets a dead pooled connection.
        await EndSessionsAsync(host);
        var feed = await DouyinFeed(http);
        Assert.Equal(503, feed.GetProperty("status_code").GetInt32());
        Assert.Equal(TryAgain, feed.GetProperty("status_msg").GetString());
        // The failure emptied the pool (its other connections were dead too): the retry is served.
        Assert.Equal(0, (await DouyinFeed(http)).GetProperty("status_code").GetInt32());

        await EndSessionsAsync(host);
        var users = await GinchatUserList(http, token);
        Assert.Equal(-1, users.GetProperty("code").GetInt32());
        Assert.Equal(TryAgain, users.GetProperty("message").GetString());
        Assert.Equal(0, (await GinchatUserList(http, token)).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_follow_after_the_database_ended_an_idle_writers_session_is_stored_at_the_first_attempt()
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, fanToken) = await host.RegisterAsync("outage_fan");
        var (starId, _) = await host.RegisterAsync("outage_star");
        var (otherId, _) = await host.RegisterAsync("outage_other");
        using var http = host.Client();
        async Task<JsonElement> Follow(long userId)
        {
            var response = await http.PostAsync($"/douyin/relation/action/?token={fanToken}&to_user_id={userId}&action_type=1", null);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        Assert.Equal(0, (await Follow(starId)).GetProperty("status_code").GetInt32());

        // The database ends every session, the group committer's kept one among them, while idle.
        // A read meets a dead pooled connection, which empties the pool; the next read is served.
        await Task.Delay(1_500);
        await EndSessionsAsync(host);
        Assert.Equal(503, (await DouyinFeed(http)).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await DouyinFeed(http)).GetProperty("status_code").GetInt32());

        // The next follow is a batch that cannot be sent twice, so it must not meet the dead kept
        // session at all: it is committed at the first attempt.
        var followed = await Follow(otherId);
        Assert.Equal(0, followed.GetProperty("status_code").GetInt32());
        Assert.Equal(2L, await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM follows"));
    }

    [Fact]
    public async Task A_hub_call_that_meets_a_dropped_database_connection_fails_saying_to_try_again()
    {
        await using var host = await GoChatHost.StartAsync();
        var (_, token) = await host.RegisterAsync("outage_hub");
        await using var client = await ChatClient.ConnectAsync(host, token);

        await EndSessionsAsync(host);
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => client.Connection.InvokeAsync<JsonElement>("Sync"));
        Assert.Contains(TryAgain, refused.Message);
        // The connection stays open and the retry is served (the failure emptied the pool).
        await client.Connection.InvokeAsync<JsonElement>("Sync");
    }

    static Task EndSessionsAsync(GoChatHost host) => Sql.ScalarAsync<bool>(host.ConnectionString,
        "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");

    static async Task<JsonElement> DouyinFeed(HttpClient http)
    {
        var response = await http.GetAsync("/douyin/feed/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static async Task<JsonElement> GinchatUserList(HttpClient http, string token)
    {
        var response = await http.GetAsync($"/user/getUserList?token={token}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
