using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;

namespace GoChat.Tests.Security;

/// <summary>Allowances counted per account over hours and days: uploads (count and bytes), new groups, contact requests.</summary>
public sealed partial class AbuseLimitTests
{
    [Fact]
    public async Task Uploads_past_the_hourly_count_are_refused_natively_and_on_douyin()
    {
        var (_, token) = await Host.RegisterAsync("uploader");
        using var client = Host.Client(token);
        for (var i = 0; i < LimitedHost.UploadsPerHour; i++) await MediaTests.Upload(client, MediaTests.TinyPng(), "image/png");

        var refused = await client.PostAsync("/api/v1/media", MediaTests.Form(MediaTests.TinyPng(), "image/png"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("too many uploads (at most 2 an hour)", await Detail(refused));
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(20), "Retry-After should be about half an hour");

        // Refused before any tool looks at it: these bytes are no video.
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "token" },
            { new StringContent("my clip"), "title" },
            { new ByteArrayContent(new byte[1000]), "data", "clip.mp4" },
        };
        var douyin = await (await client.PostAsync("/douyin/publish/action/", form)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(7, douyin.GetProperty("status_code").GetInt32());
        Assert.Contains("too many uploads", douyin.GetProperty("status_msg").GetString());
    }

    [Fact]
    public async Task An_upload_past_the_days_bytes_is_refused_and_what_was_refused_is_not_counted()
    {
        var (userId, token) = await Host.RegisterAsync("byte_spender");
        using var client = Host.Client(token);
        await MediaTests.Upload(client, new byte[60_000], "application/octet-stream", "first.bin");

        var refused = await client.PostAsync("/api/v1/media", MediaTests.Form(new byte[60_000], "application/octet-stream", "second.bin"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("reached the 100,000 bytes a day allowed", await Detail(refused));
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(Host.ConnectionString, $"SELECT count(*) FROM media WHERE uploader_id = {userId}"));
    }

    [Fact]
    public async Task Group_creations_and_contact_requests_past_the_days_allowance_are_refused()
    {
        var (_, token) = await Host.RegisterAsync("organiser");
        var friends = new List<long>();
        for (var i = 0; i < 3; i++) friends.Add((await Host.RegisterAsync($"friend{i}")).UserId);
        using var client = Host.Client(token);

        for (var i = 0; i < LimitedHost.PerDay; i++)
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/groups", new { name = $"club {i}" })).StatusCode);
        var group = await client.PostAsJsonAsync("/api/v1/groups", new { name = "one club too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, group.StatusCode);
        Assert.Contains("too many new groups (at most 2 a day)", await Detail(group));
        Assert.True(group.Headers.RetryAfter?.Delta > TimeSpan.FromHours(11));

        for (var i = 0; i < LimitedHost.PerDay; i++)
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/contacts", new { userId = friends[i] })).StatusCode);
        var contact = await client.PostAsJsonAsync("/api/v1/contacts", new { userId = friends[2] });
        Assert.Equal(HttpStatusCode.TooManyRequests, contact.StatusCode);
        Assert.Contains("too many contact requests", await Detail(contact));
        var ginchat = await (await client.PostAsync("/contact/addFriend", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["userId"] = (await client.GetFromJsonAsync<JsonElement>("/api/v1/users/me")).GetProperty("id").ToString(), ["targetName"] = "friend2",
        }))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(-1, ginchat.GetProperty("Code").GetInt32());
        Assert.Contains("too many contact requests", ginchat.GetProperty("Msg").GetString());

        // Someone else's allowance is their own.
        var (_, other) = await Host.RegisterAsync("other_organiser");
        using var otherClient = Host.Client(other);
        Assert.Equal(HttpStatusCode.Created, (await otherClient.PostAsJsonAsync("/api/v1/groups", new { name = "my own club" })).StatusCode);
    }
}
