using System.Text.Json;
using GoChat.Tests.Infrastructure;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.DouyinApi;

public sealed class DouyinEngagementTests
{
    [Fact]
    public async Task Fifty_users_liking_one_video_at_once_count_exactly_fifty_and_survive_a_restart()
    {
        string connectionString;
        var dataDir = TestDatabase.NewTempDirectory("gochat-likes");
        long videoId;
        await using (var host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={dataDir}"))
        {
            connectionString = host.ConnectionString;
            var (_, author) = await host.RegisterAsync("author");
            using var client = host.Client();
            await DouyinVideoTests.Publish(client, author, DouyinVideoTests.SampleVideo.Value, "likeable");
            videoId = (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("id").GetInt64();

            var fans = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => host.RegisterAsync($"fan{i}")));
            var likes = await Task.WhenAll(fans.Select(f => Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={f.Token}&video_id={videoId}&action_type=1")));
            Assert.All(likes, l => Assert.Equal(0, l.GetProperty("status_code").GetInt32()));
            // liking twice counts once; unliking what was not liked is a no-op
            await Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={fans[0].Token}&video_id={videoId}&action_type=1");
            await Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={author}&video_id={videoId}&action_type=2");

            var video = (await Douyin(client, HttpMethod.Get, $"/douyin/feed/?token={fans[1].Token}")).GetProperty("video_list")[0];
            Assert.Equal(50, video.GetProperty("favorite_count").GetInt64());
            Assert.True(video.GetProperty("is_favorite").GetBoolean());
            Assert.Equal(50, video.GetProperty("author").GetProperty("total_favorited").GetInt64());
            var fanList = await Douyin(client, HttpMethod.Get, $"/douyin/favorite/list/?user_id={fans[2].UserId}");
            Assert.Equal(videoId, fanList.GetProperty("video_list").EnumerateArray().Single().GetProperty("id").GetInt64());
            Assert.Equal(1, (await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={fans[2].UserId}")).GetProperty("user").GetProperty("favorite_count").GetInt64());

            await Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={fans[3].Token}&video_id={videoId}&action_type=2");
            Assert.Equal(49, (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("favorite_count").GetInt64());
        }
        await using (var host = await GoChatHost.StartAsync(connectionString, $"--GoChat:DataDir={dataDir}"))
        {
            using var client = host.Client();
            Assert.Equal(49, (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("favorite_count").GetInt64());
        }
        Assert.Equal(49L, await Sql.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM favorites WHERE video_id = {videoId}"));
    }

    [Fact]
    public async Task Comments_are_listed_newest_first_and_only_their_author_or_the_videos_author_deletes_them()
    {
        await using var host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={TestDatabase.NewTempDirectory("gochat-comments")}");
        var (_, author) = await host.RegisterAsync("author");
        var (critic, criticToken) = await host.RegisterAsync("critic");
        var (_, bystander) = await host.RegisterAsync("bystander");
        using var client = host.Client();
        await DouyinVideoTests.Publish(client, author, DouyinVideoTests.SampleVideo.Value, "discuss");
        var videoId = (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("id").GetInt64();

        var first = await Douyin(client, HttpMethod.Post, "/douyin/comment/action/", new() { ["token"] = criticToken, ["video_id"] = videoId.ToString(), ["action_type"] = "1", ["comment_text"] = "nice" });
        var comment = first.GetProperty("comment");
        Assert.Equal(critic, comment.GetProperty("user").GetProperty("id").GetInt64());
        Assert.Matches(@"^\d{2}-\d{2}$", comment.GetProperty("create_date").GetString());
        var second = await Douyin(client, HttpMethod.Post, "/douyin/comment/action/", new() { ["token"] = criticToken, ["video_id"] = videoId.ToString(), ["action_type"] = "1", ["comment_text"] = "really nice" });

        var list = (await Douyin(client, HttpMethod.Get, $"/douyin/comment/list/?video_id={videoId}")).GetProperty("comment_list").EnumerateArray().Select(c => c.GetProperty("content").GetString());
        Assert.Equal(new[] { "really nice", "nice" }, list);
        Assert.Equal(2, (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("comment_count").GetInt64());

        var firstId = comment.GetProperty("id").GetInt64();
        var secondId = second.GetProperty("comment").GetProperty("id").GetInt64();
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Post, $"/douyin/comment/action/?token={bystander}&video_id={videoId}&action_type=2&comment_id={firstId}")).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/comment/action/?token={criticToken}&video_id={videoId}&action_type=2&comment_id={firstId}")).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/comment/action/?token={author}&video_id={videoId}&action_type=2&comment_id={secondId}")).GetProperty("status_code").GetInt32());
        Assert.Equal(0, (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("comment_count").GetInt64());

        foreach (var bad in new[]
        {
            $"video_id={videoId}&action_type=1&comment_text={new string('x', 1001)}",
            $"video_id={videoId}&action_type=1&comment_text=",
            $"video_id=987654&action_type=1&comment_text=hi",
            $"video_id=abc&action_type=1&comment_text=hi",
            $"video_id={videoId}&action_type=9",
            $"video_id={videoId}&action_type=2&comment_id=987654",
        })
            Assert.NotEqual(0, (await Douyin(client, HttpMethod.Post, $"/douyin/comment/action/?token={criticToken}&{bad}")).GetProperty("status_code").GetInt32());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM comments"));
    }
}
