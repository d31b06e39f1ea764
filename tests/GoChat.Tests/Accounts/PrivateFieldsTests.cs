using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using static GoChat.Tests.Accounts.LegacyDialectAccountTests;

namespace GoChat.Tests.Accounts;

/// <summary>Phone, e-mail, sign-in address and device (User-Agent) are shown to the account's owner only, in every dialect.</summary>
public sealed class PrivateFieldsTests : IAsyncLifetime
{
    const string Phone = "13812345678";
    const string Email = "alice.private@example.org";
    const string Device = "AlicesOwnBrowser/7.3";
    const string Address = "127.0.0.1";

    GoChatHost _host = null!;
    long _aliceId, _bobId;
    string _alice = "", _bob = "";

    /// <summary>Alice (phone, e-mail, and a sign-in with her browser recorded) and Bob are friends.</summary>
    public async Task InitializeAsync()
    {
        _host = await GoChatHost.StartAsync();
        (_aliceId, _) = await _host.RegisterAsync("alice", "alice-pw");
        (_bobId, _bob) = await _host.RegisterAsync("bob", "bob-pw");
        using var anonymous = _host.Client();
        anonymous.DefaultRequestHeaders.UserAgent.ParseAdd(Device);
        var login = await (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { username = "alice", password = "alice-pw" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        _alice = login.GetProperty("token").GetString()!;
        using var alice = _host.Client(_alice);
        (await alice.PatchAsJsonAsync("/api/v1/users/me", new { phone = Phone, email = Email })).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync("/api/v1/contacts", new { userId = _bobId })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    static void AssertPrivateFields(JsonElement user, string phone, string email, string address, string device)
    {
        Assert.Equal(phone, user.GetProperty("Phone").GetString());
        Assert.Equal(email, user.GetProperty("Email").GetString());
        Assert.Equal(address, user.GetProperty("ClientIp").GetString());
        Assert.Equal(device, user.GetProperty("DeviceInfo").GetString());
    }

    [Fact]
    public async Task Ginchat_getUserList_shows_private_fields_to_their_owner_only()
    {
        using var client = _host.Client();
        JsonElement AliceIn(JsonElement list) => list.GetProperty("data").EnumerateArray().Single(u => u.GetProperty("ID").GetInt64() == _aliceId);

        AssertPrivateFields(AliceIn(await Ginchat(client, "/user/getUserList", new() { ["token"] = _bob })), "", "", "", "");
        AssertPrivateFields(AliceIn(await Ginchat(client, "/user/getUserList", new() { ["token"] = _alice })), Phone, Email, Address, Device);
    }

    [Fact]
    public async Task Ginchat_searchFriends_shows_no_private_fields_of_friends()
    {
        using var client = _host.Client();
        var bobsFriends = await Ginchat(client, "/searchFriends", new() { ["token"] = _bob, ["userId"] = _bobId.ToString() });
        AssertPrivateFields(bobsFriends.GetProperty("Rows").EnumerateArray().Single(), "", "", "", "");
    }

    [Fact]
    public async Task Ginchat_routes_answering_with_the_callers_own_account_show_its_private_fields()
    {
        using var client = _host.Client();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(Device);
        var login = await Ginchat(client, "/user/findUserByNameAndPwd", new() { ["name"] = "alice", ["password"] = "alice-pw" });
        AssertPrivateFields(login.GetProperty("data"), Phone, Email, Address, Device);
        var updated = await Ginchat(client, "/user/updateUser", new() { ["token"] = _alice, ["id"] = _aliceId.ToString(), ["email"] = "alice.new@example.org" });
        AssertPrivateFields(updated.GetProperty("data"), Phone, "alice.new@example.org", Address, Device);
    }

    /// <summary>These views never carried the private fields; this keeps it so.</summary>
    [Fact]
    public async Task Native_and_douyin_views_of_another_user_show_no_private_fields()
    {
        using var bob = _host.Client(_bob);
        var direct = $"d:{Math.Min(_aliceId, _bobId)}:{Math.Max(_aliceId, _bobId)}";
        (await bob.PostAsJsonAsync($"/api/v1/conversations/{direct}/messages", new { clientMsgId = "hi", kind = "text", text = "hi" })).EnsureSuccessStatusCode();
        var group = await (await bob.PostAsJsonAsync("/api/v1/groups", new { name = "both", memberIds = new[] { _aliceId } })).Content.ReadFromJsonAsync<JsonElement>();
        await bob.PostAsync($"/douyin/relation/action/?token={_bob}&to_user_id={_aliceId}&action_type=1", null);

        string[] views =
        [
            $"/api/v1/users/{_aliceId}", "/api/v1/users?search=ali", "/api/v1/contacts", "/api/v1/conversations",
            $"/api/v1/groups/{group.GetProperty("id").GetInt64()}",
            $"/douyin/user/?user_id={_aliceId}&token={_bob}", $"/douyin/relation/follow/list/?user_id={_bobId}&token={_bob}",
            $"/douyin/relation/friend/list/?user_id={_bobId}&token={_bob}",
        ];
        foreach (var view in views)
        {
            var body = await bob.GetStringAsync(view);
            Assert.Contains(_aliceId.ToString(), body);
            foreach (var secret in new[] { Phone, Email, Device, Address })
                Assert.False(body.Contains(secret, StringComparison.Ordinal), $"{view} shows {secret}: {body}");
        }

        using var alice = _host.Client(_alice);
        var me = await alice.GetFromJsonAsync<JsonElement>("/api/v1/users/me");
        Assert.Equal(Phone, me.GetProperty("phone").GetString());
        Assert.Equal(Email, me.GetProperty("email").GetString());
    }
}
