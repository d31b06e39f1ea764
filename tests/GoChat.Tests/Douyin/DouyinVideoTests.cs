using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.DouyinApi;

public sealed class DouyinVideoTests : IAsyncLifetime
{
    GoChatHost _host = null!;
    internal static readonly Lazy<byte[]> SampleVideo = new(() => MakeVideo());

    public async Task InitializeAsync() =>
        _host = await GoChatHost.StartAsync(settings: $"--GoChat:DataDir={TestDatabase.NewTempDirectory("gochat-videos")}");
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_published_video_is_in_the_feed_and_the_authors_list_with_a_served_cover_and_seekable_video()
    {
        var (authorId, token) = await _host.RegisterAsync("director");
        using var client = _host.Client();
        Assert.Equal(0, (await Publish(client, token, SampleVideo.Value, "first light")).GetProperty("status_code").GetInt32());

        var feed = await Douyin(client, HttpMethod.Get, "/douyin/feed/");
        var video = feed.GetProperty("video_list").EnumerateArray().Single();
        Assert.Equal("first light", video.GetProperty("title").GetString());
        Assert.Equal(authorId, video.GetProperty("author").GetProperty("id").GetInt64());
        Assert.Equal(1, video.GetProperty("author").GetProperty("work_count").GetInt64());
        Assert.True(feed.GetProperty("next_time").GetInt64() > 1_600_000_000_000);

        var cover = await client.GetAsync(video.GetProperty("cover_url").GetString());
        Assert.Equal("image/jpeg", cover.Content.Headers.ContentType?.MediaType);
        var coverBytes = await cover.Content.ReadAsByteArrayAsync();
        Assert.True(coverBytes.Length > 100 && coverBytes[0] == 0xFF && coverBytes[1] == 0xD8, "the cover is a JPEG");

        using var range = new HttpRequestMessage(HttpMethod.Get, video.GetProperty("play_url").GetString());
        range.Headers.Range = new RangeHeaderValue(0, 99);
        var partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(SampleVideo.Value[..100], await partial.Content.ReadAsByteArrayAsync());

        var list = await Douyin(client, HttpMethod.Get, $"/douyin/publish/list/?user_id={authorId}");
        Assert.Equal(video.GetProperty("id").GetInt64(), list.GetProperty("video_list").EnumerateArray().Single().GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Things_that_are_not_videos_and_bad_requests_are_refused_and_store_nothing()
    {
        var (_, token) = await _host.RegisterAsync("prankster");
        using var client = _host.Client();
        var text = await Publish(client, token, "definitely not a video"u8.ToArray(), "fake", fileName: "movie.mp4");
        Assert.NotEqual(0, text.GetProperty("status_code").GetInt32());
        Assert.Contains("not a video", text.GetProperty("status_msg").GetString());
        Assert.NotEqual(0, (await Publish(client, token, SampleVideo.Value, new string('x', 101))).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Publish(client, token, SampleVideo.Value, "")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Publish(client, "garbage", SampleVideo.Value, "no token")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Get, "/douyin/feed/?latest_time=soon")).GetProperty("status_code").GetInt32());
        Assert.NotEqual(0, (await Douyin(client, HttpMethod.Get, "/douyin/publish/list/?user_id=987654")).GetProperty("status_code").GetInt32());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM videos"));
    }

    [Fact]
    public async Task The_feed_pages_by_time_across_more_than_30_videos_with_no_duplicate_and_no_gap()
    {
        var (_, token) = await _host.RegisterAsync("prolific");
        using var client = _host.Client();
        for (var i = 0; i < 33; i++)
            Assert.Equal(0, (await Publish(client, token, SampleVideo.Value, $"clip {i}")).GetProperty("status_code").GetInt32());

        var first = await Douyin(client, HttpMethod.Get, $"/douyin/feed/?latest_time=0&token={token}");
        var page1 = first.GetProperty("video_list").EnumerateArray().Select(v => v.GetProperty("title").GetString()).ToList();
        Assert.Equal(30, page1.Count);
        Assert.Equal("clip 32", page1[0]);
        var second = await Douyin(client, HttpMethod.Get, $"/douyin/feed/?latest_time={first.GetProperty("next_time").GetInt64()}");
        var page2 = second.GetProperty("video_list").EnumerateArray().Select(v => v.GetProperty("title").GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, 33).Reverse().Select(i => $"clip {i}"), page1.Concat(page2));
        var third = await Douyin(client, HttpMethod.Get, $"/douyin/feed/?latest_time={second.GetProperty("next_time").GetInt64()}");
        Assert.Empty(third.GetProperty("video_list").EnumerateArray());
    }

    [Fact]
    public async Task A_cut_off_video_is_refused_with_a_plain_reason_and_none_of_ffmpegs_output()
    {
        var (_, token) = await _host.RegisterAsync("director");
        using var client = _host.Client();
        // The header (moov, first with +faststart) is whole, so ffprobe finds the video stream; the frames are cut off.
        var video = SampleVideo.Value;
        var truncated = video[..(video.AsSpan().IndexOf("mdat"u8) + 64)];

        var answer = await Publish(client, token, truncated, "half a clip");
        Assert.Equal(1, answer.GetProperty("status_code").GetInt32());
        var message = answer.GetProperty("status_msg").GetString()!;
        Assert.StartsWith("the video could not be read: ", message);
        foreach (var toolOutput in new[] { "0x", "@", "[", "h264", "NAL", "/tmp" })
            Assert.DoesNotContain(toolOutput, message);
        Assert.Empty((await Douyin(client, HttpMethod.Get, "/douyin/feed/")).GetProperty("video_list").EnumerateArray());
    }

    internal static async Task<JsonElement> Publish(HttpClient client, string token, byte[] bytes, string title, string fileName = "clip.mp4")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        var form = new MultipartFormDataContent { { file, "data", fileName }, { new StringContent(token), "token" }, { new StringContent(title), "title" } };
        var response = await client.PostAsync("/douyin/publish/action/", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>A one-second 160x120 test pattern, made by ffmpeg (no binary is committed).</summary>
    static byte[] MakeVideo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gochat-sample-{Guid.NewGuid():N}.mp4");
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path })
            start.ArgumentList.Add(arg);
        using var ffmpeg = Process.Start(start)!;
        var errors = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg could not make the sample video: {errors}");
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}
