using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.DouyinApi;

public sealed class DouyinRelationTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Follows_change_counters_and_lists_together()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        using var client = _host.Client();
        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={alice}&to_user_id={bobId}&action_type=1")).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={alice}&to_user_id={bobId}&action_type=1")).GetProperty("status_code").GetInt32());

        var bobSeenByAlice = (await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={bobId}&token={alice}")).GetProperty("user");
        Assert.Equal(1, bobSeenByAlice.GetProperty("follower_count").GetInt64());
        Assert.True(bobSeenByAlice.GetProperty("is_follow").GetBoolean());
        var aliceUser = (await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={aliceId}")).GetProperty("user");
        Assert.Equal(1, aliceUser.GetProperty("follow_count").GetInt64());
        Assert.False(aliceUser.GetProperty("is_follow").GetBoolean());

        var following = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/follow/list/?user_id={aliceId}")).GetProperty("user_list");
        Assert.Equal(bobId, following.EnumerateArray().Single().GetProperty("id").GetInt64());
        var followers = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/follower/list/?user_id={bobId}&token={bob}")).GetProperty("user_list");
        var follower = followers.EnumerateArray().Single();
        Assert.Equal(aliceId, follower.GetProperty("id").GetInt64());
        Assert.False(follower.GetProperty("is_follow").GetBoolean());

        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, "/douyin/relation/action/", new() { ["token"] = alice, ["to_user_id"] = bobId.ToString(), ["action_type"] = "2" })).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={bobId}")).GetProperty("user").GetProperty("follower_count").GetInt64());
        Assert.Empty((await Douyin(client, HttpMethod.Get, $"/douyin/relation/follow/list/?user_id={aliceId}")).GetProperty("user_list").EnumerateArray());
    }

    [Theory]
    [InlineData("to_user_id=SELF&action_type=1", "yourself")]
    [InlineData("to_user_id=987654&action_type=1", "no user")]
    [InlineData("to_user_id=abc&action_type=1", "integer")]
    [InlineData("to_user_id=OTHER&action_type=7", "action_type")]
    [InlineData("action_type=1", "to_user_id")]
    public async Task Bad_relation_actions_are_refused_and_change_nothing(string query, string expected)
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        using var client = _host.Client();
        var body = await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={alice}&" + query.Replace("SELF", aliceId.ToString()).Replace("OTHER", bobId.ToString()));
        Assert.NotEqual(0, body.GetProperty("status_code").GetInt32());
        Assert.Contains(expected, body.GetProperty("status_msg").GetString());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM follows"));
        var noToken = await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?to_user_id={bobId}&action_type=1");
        Assert.NotEqual(0, noToken.GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task Friends_are_mutual_follows_with_the_latest_message_and_polling_returns_each_incoming_message_once()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        using var client = _host.Client();
        await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={alice}&to_user_id={bobId}&action_type=1");
        Assert.Empty((await Douyin(client, HttpMethod.Get, $"/douyin/relation/friend/list/?user_id={aliceId}&token={alice}")).GetProperty("user_list").EnumerateArray());
        await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={bob}&to_user_id={aliceId}&action_type=1");

        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, "/douyin/message/action/", new() { ["token"] = alice, ["to_user_id"] = bobId.ToString(), ["action_type"] = "1", ["content"] = "hi bob" })).GetProperty("status_code").GetInt32());
        var friend = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/friend/list/?user_id={bobId}&token={bob}")).GetProperty("user_list").EnumerateArray().Single();
        Assert.Equal(aliceId, friend.GetProperty("id").GetInt64());
        Assert.Equal("hi bob", friend.GetProperty("message").GetString());
        Assert.Equal(0, friend.GetProperty("msgType").GetInt32());
        var mine = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/friend/list/?token={alice}")).GetProperty("user_list").EnumerateArray().Single();
        Assert.Equal(1, mine.GetProperty("msgType").GetInt32());

        // bob opens the chat: the whole conversation, ascending
        var all = (await Douyin(client, HttpMethod.Get, $"/douyin/message/chat/?token={bob}&to_user_id={aliceId}")).GetProperty("message_list").EnumerateArray().ToList();
        Assert.Equal("hi bob", all.Single().GetProperty("content").GetString());
        Assert.Equal(bobId, all[0].GetProperty("to_user_id").GetInt64());
        var lastTime = all[^1].GetProperty("create_time").GetInt64();
        Assert.True(lastTime > 1_600_000_000_000, "create_time is in milliseconds");

        // bob replies (his own message must not come back to him), alice writes twice more
        await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?token={bob}&to_user_id={aliceId}&action_type=1&content=hello");
        await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?token={alice}&to_user_id={bobId}&action_type=1&content=one");
        await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?token={alice}&to_user_id={bobId}&action_type=1&content=two");
        var polled = (await Douyin(client, HttpMethod.Get, $"/douyin/message/chat/?token={bob}&to_user_id={aliceId}&pre_msg_time={lastTime}")).GetProperty("message_list").EnumerateArray().ToList();
        Assert.Equal(new[] { "one", "two" }, polled.Select(m => m.GetProperty("content").GetString()));
        var next = polled[^1].GetProperty("create_time").GetInt64();
        Assert.Empty((await Douyin(client, HttpMethod.Get, $"/douyin/message/chat/?token={bob}&to_user_id={aliceId}&pre_msg_time={next}")).GetProperty("message_list").EnumerateArray());
        // seconds are accepted too
        Assert.Equal(3, (await Douyin(client, HttpMethod.Get, $"/douyin/message/chat/?token={bob}&to_user_id={aliceId}&pre_msg_time={lastTime / 1000 - 1}")).GetProperty("message_list").GetArrayLength());

        // the same conversation as the native API
        using var native = _host.Client(bob);
        var history = await native.GetFromJsonAsync<JsonElement[]>($"/api/v1/conversations/d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}/messages");
        Assert.Equal(4, history!.Length);
    }

    [Fact]
    public async Task Messages_need_a_token_a_real_peer_and_valid_content()
    {
        var (_, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        using var client = _host.Client();
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?to_user_id={bobId}&action_type=1&content=x")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?token={alice}&to_user_id=987654&action_type=1&content=x")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?token={alice}&to_user_id={bobId}&action_type=1&content=")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Post, $"/douyin/message/action/?token={alice}&to_user_id={bobId}&action_type=2&content=x")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Get, $"/douyin/message/chat/?token={alice}&to_user_id=abc")).GetProperty("status_code").GetInt32());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM messages"));
    }
}
