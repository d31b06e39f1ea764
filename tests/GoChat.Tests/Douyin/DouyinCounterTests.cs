using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Grains.Social;
using GoChat.Grains.Storage;
using GoChat.Grains.Videos;
using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.DouyinApi;

/// <summary>
/// User and video counters are held by grains; these check, through the HTTP API only, that they
/// agree with the lists after concurrent actions by many users, and again after a restart.
/// </summary>
public sealed class DouyinCounterTests
{
    const int Fans = 24;

    [Fact]
    public async Task Like_counters_agree_with_the_lists_after_concurrent_likes_and_unlikes_and_after_a_restart()
    {
        var dataDir = TestDatabase.NewTempDirectory("gochat-counters");
        string connectionString;
        long authorId;
        long[] videoIds;
        (long UserId, string Token)[] fans;
        await using (var host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={dataDir}"))
        {
            connectionString = host.ConnectionString;
            string author;
            (authorId, author) = await host.RegisterAsync("author");
            using var client = host.Client();
            Assert.Equal(0, (await User(client, authorId)).GetProperty("work_count").GetInt64());
            await DouyinVideoTests.Publish(client, author, DouyinVideoTests.SampleVideo.Value, "first");
            Assert.Equal(1, (await User(client, authorId)).GetProperty("work_count").GetInt64());
            await DouyinVideoTests.Publish(client, author, DouyinVideoTests.SampleVideo.Value, "second");
            Assert.Equal(2, (await User(client, authorId)).GetProperty("work_count").GetInt64());
            videoIds = (await Douyin(client, HttpMethod.Get, $"/douyin/publish/list/?user_id={authorId}")).GetProperty("video_list")
                .EnumerateArray().Select(v => v.GetProperty("id").GetInt64()).ToArray();
            Assert.Equal(2, videoIds.Length);

            fans = await Task.WhenAll(Enumerable.Range(0, Fans).Select(i => host.RegisterAsync($"fan{i}")));
            // Every fan acts at the same time as the others; each fan's own steps run in order.
            await Task.WhenAll(fans.Select((fan, i) => Task.Run(async () =>
            {
                foreach (var (video, action) in Script(i, videoIds))
                    Assert.Equal(0, (await Douyin(client, HttpMethod.Post,
                        $"/douyin/favorite/action/?token={fan.Token}&video_id={video}&action_type={action}")).GetProperty("status_code").GetInt32());
            })));

            await AssertLikeCountersAgree(client, authorId, videoIds, fans);
            // the lists agree with the tables too
            Assert.Equal(Expected(videoIds).Sum(e => e.Value), await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM favorites"));
        }

        await using (var host = await GoChatHost.StartAsync(connectionString, $"--GoChat:DataDir={dataDir}"))
        {
            using var client = host.Client();
            // The first action after the restart reaches grains that are not active yet: counted once, not twice.
            var lateFan = fans[1];
            Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={lateFan.Token}&video_id={videoIds[1]}&action_type=1")).GetProperty("status_code").GetInt32());
            var before = Expected(videoIds).Sum(e => e.Value);
            Assert.Equal(before + 1, (await User(client, authorId)).GetProperty("total_favorited").GetInt64());
            Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={lateFan.Token}&video_id={videoIds[1]}&action_type=2")).GetProperty("status_code").GetInt32());

            await AssertLikeCountersAgree(client, authorId, videoIds, fans);
            Assert.Equal(2, (await User(client, authorId)).GetProperty("work_count").GetInt64());
        }
    }

    [Fact]
    public async Task Follow_counters_on_both_sides_agree_with_the_lists_after_concurrent_follows_and_after_a_restart()
    {
        string connectionString;
        long starId;
        (long UserId, string Token)[] fans;
        await using (var host = await GoChatHost.StartAsync())
        {
            connectionString = host.ConnectionString;
            string star;
            (starId, star) = await host.RegisterAsync("star");
            fans = await Task.WhenAll(Enumerable.Range(0, Fans).Select(i => host.RegisterAsync($"follower{i}")));
            using var client = host.Client();

            await Task.WhenAll(fans.Select((fan, i) => Task.Run(async () =>
            {
                await Follow(client, fan.Token, starId, 1);
                await Follow(client, fan.Token, starId, 1); // following twice counts once
                await Follow(client, fan.Token, fans[(i + 1) % Fans].UserId, 1);
                if (i % 3 == 0) await Follow(client, fan.Token, starId, 2);
                if (i % 4 == 0) await Follow(client, fan.Token, fans[(i + 2) % Fans].UserId, 2); // never followed: a no-op
            })));
            // the star follows some back at the same time as those fans follow the star again
            await Task.WhenAll(
                Task.WhenAll(fans.Where((_, i) => i % 5 == 0).Select(f => Follow(client, star, f.UserId, 1))),
                Task.WhenAll(fans.Where((_, i) => i % 3 == 0 && i % 2 == 0).Select(f => Follow(client, f.Token, starId, 1))));

            await AssertFollowCountersAgree(client, starId, fans);
            Assert.Equal(FollowersOfStar(), (await User(client, starId)).GetProperty("follower_count").GetInt64());
            Assert.Equal((Fans + 4) / 5, (await User(client, starId)).GetProperty("follow_count").GetInt64());

            // Adding a contact in the native API makes both follow edges: both sides count them.
            using var native = host.Client(fans[1].Token);
            Assert.True((await native.PostAsJsonAsync("/api/v1/contacts", new { userId = fans[3].UserId })).IsSuccessStatusCode);
            await AssertFollowCountersAgree(client, starId, fans);

            // A closed account is not listed, so it is not counted either.
            var leaving = fans[2];
            var deleted = await Ginchat(client, $"/user/deleteUser?id={leaving.UserId}&token={leaving.Token}", null);
            Assert.Equal(0, deleted.GetProperty("code").GetInt32());
            fans = fans.Where(f => f != leaving).ToArray();
            await AssertFollowCountersAgree(client, starId, fans);
        }

        await using (var host = await GoChatHost.StartAsync(connectionString))
        {
            using var client = host.Client();
            await AssertFollowCountersAgree(client, starId, fans);
        }

        static long FollowersOfStar() => Enumerable.Range(0, Fans).Count(i => i % 3 != 0 || i % 2 == 0);
    }

    /// <summary>Fan i: likes each video (twice), unlikes some, and unlikes one it never liked.</summary>
    static IEnumerable<(long Video, int Action)> Script(int i, long[] videos)
    {
        yield return (videos[0], 1);
        yield return (videos[0], 1);
        if (i % 2 == 0) yield return (videos[1], 1);
        if (i % 4 == 0) yield return (videos[0], 2);
        if (i % 2 == 1) yield return (videos[1], 2); // never liked: a no-op
        if (i % 6 == 0) yield return (videos[1], 2);
    }

    static Dictionary<long, long> Expected(long[] videos) => new()
    {
        [videos[0]] = Enumerable.Range(0, Fans).Count(i => i % 4 != 0),
        [videos[1]] = Enumerable.Range(0, Fans).Count(i => i % 2 == 0 && i % 6 != 0),
    };

    static async Task AssertLikeCountersAgree(HttpClient client, long authorId, long[] videoIds, (long UserId, string Token)[] fans)
    {
        var expected = Expected(videoIds);
        var published = (await Douyin(client, HttpMethod.Get, $"/douyin/publish/list/?user_id={authorId}")).GetProperty("video_list").EnumerateArray().ToList();
        foreach (var video in published)
            Assert.Equal(expected[video.GetProperty("id").GetInt64()], video.GetProperty("favorite_count").GetInt64());
        var author = await User(client, authorId);
        Assert.Equal(expected.Values.Sum(), author.GetProperty("total_favorited").GetInt64());
        Assert.Equal(0, author.GetProperty("favorite_count").GetInt64());

        var liked = 0L;
        foreach (var (userId, _) in fans)
        {
            var list = (await Douyin(client, HttpMethod.Get, $"/douyin/favorite/list/?user_id={userId}")).GetProperty("video_list").GetArrayLength();
            Assert.Equal(list, (await User(client, userId)).GetProperty("favorite_count").GetInt64());
            liked += list;
        }
        Assert.Equal(expected.Values.Sum(), liked);
    }

    static async Task AssertFollowCountersAgree(HttpClient client, long starId, (long UserId, string Token)[] fans)
    {
        foreach (var userId in fans.Select(f => f.UserId).Append(starId))
        {
            var user = await User(client, userId);
            var following = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/follow/list/?user_id={userId}")).GetProperty("user_list").GetArrayLength();
            var followers = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/follower/list/?user_id={userId}")).GetProperty("user_list").GetArrayLength();
            Assert.True(following == user.GetProperty("follow_count").GetInt64(), $"user {userId}: follow_count {user.GetProperty("follow_count")}, follow list {following}");
            Assert.True(followers == user.GetProperty("follower_count").GetInt64(), $"user {userId}: follower_count {user.GetProperty("follower_count")}, follower list {followers}");
        }
    }

    static async Task Follow(HttpClient client, string token, long userId, int action) =>
        Assert.Equal(0, (await Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={token}&to_user_id={userId}&action_type={action}")).GetProperty("status_code").GetInt32());

    static async Task<JsonElement> User(HttpClient client, long userId)
    {
        var body = await Douyin(client, HttpMethod.Get, $"/douyin/user/?user_id={userId}");
        Assert.Equal(0, body.GetProperty("status_code").GetInt32());
        return body.GetProperty("user");
    }
}

/// <summary>The store-level lists behind the douyin list routes are keyset pages; walking them in small pages gives the whole list once.</summary>
public sealed class DouyinListPagingTests
{
    [Fact]
    public async Task Walking_small_keyset_pages_gives_every_follower_and_like_once_even_when_a_batch_shares_one_timestamp()
    {
        await using var host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={TestDatabase.NewTempDirectory("gochat-paging")}");
        var (starId, star) = await host.RegisterAsync("star");
        var fans = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => host.RegisterAsync($"pager{i}")));
        using var client = host.Client();
        await DouyinVideoTests.Publish(client, star, DouyinVideoTests.SampleVideo.Value, "paged");
        var videoId = (await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list")[0].GetProperty("id").GetInt64();
        // Concurrent follows tend to share a group-commit batch, hence one created_at: the id breaks the tie.
        await Task.WhenAll(fans.Select(f => Douyin(client, HttpMethod.Post, $"/douyin/relation/action/?token={f.Token}&to_user_id={starId}&action_type=1")));
        await Task.WhenAll(fans.Select(f => Douyin(client, HttpMethod.Post, $"/douyin/favorite/action/?token={f.Token}&video_id={videoId}&action_type=1")));
        foreach (var f in fans.Take(5))
            await Douyin(client, HttpMethod.Post, $"/douyin/comment/action/?token={f.Token}&video_id={videoId}&action_type=1&comment_text=hi");

        var follows = host.Services.GetRequiredService<FollowStore>();
        var followers = await ListPage.Walk<long, FollowCursor>(
            (after, limit) => follows.Edges(starId, followers: true, after, limit), pageSize: 2, max: 100);
        Assert.Equal(fans.Select(f => f.UserId).Order(), followers.Order());
        var listed = (await Douyin(client, HttpMethod.Get, $"/douyin/relation/follower/list/?user_id={starId}")).GetProperty("user_list")
            .EnumerateArray().Select(u => u.GetProperty("id").GetInt64());
        Assert.Equal(followers, listed);

        var engagement = host.Services.GetRequiredService<EngagementStore>();
        foreach (var fan in fans)
        {
            var liked = await ListPage.Walk<long, FavoriteCursor>(
                (after, limit) => engagement.FavoritesOf(fan.UserId, after, limit), pageSize: 1, max: 100);
            Assert.Equal([videoId], liked);
        }
        var comments = await ListPage.Walk<VideoComment, long>(
            (before, limit) => engagement.Comments(videoId, before, limit), pageSize: 2, max: 100);
        Assert.Equal(5, comments.Select(c => c.Id).Distinct().Count());
        Assert.Equal(comments.Select(c => c.Id).OrderDescending(), comments.Select(c => c.Id));
        // the cap applies to the walk, not to a page
        Assert.Equal(3, (await ListPage.Walk<long, FollowCursor>(
            (after, limit) => follows.Edges(starId, followers: true, after, limit), pageSize: 2, max: 3)).Count);
    }
}
