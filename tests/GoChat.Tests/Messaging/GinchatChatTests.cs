using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Accounts;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Messaging;

/// <summary>ginchat's contact and group routes over the same graph and groups as the native API.</summary>
public sealed class GinchatChatTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task addFriend_makes_friends_that_both_dialects_list_and_refuses_what_ginchat_refused()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        using var client = _host.Client();
        Dictionary<string, string> Fields(string target) => new() { ["userId"] = aliceId.ToString(), ["token"] = alice, ["targetName"] = target };

        var added = await LegacyDialectAccountTests.Ginchat(client, "/contact/addFriend", Fields("bob"));
        Assert.Equal(0, added.GetProperty("Code").GetInt32());
        foreach (var (target, why) in new[] { ("bob", "already"), ("alice", "yourself"), ("nobody", "no user"), ("", "required") })
        {
            var refused = await LegacyDialectAccountTests.Ginchat(client, "/contact/addFriend", Fields(target));
            Assert.Equal(-1, refused.GetProperty("Code").GetInt32());
            Assert.Contains(why, refused.GetProperty("Msg").GetString());
        }

        var friends = await LegacyDialectAccountTests.Ginchat(client, "/searchFriends", new() { ["userId"] = aliceId.ToString(), ["token"] = alice });
        Assert.Equal(0, friends.GetProperty("code").GetInt32());
        Assert.Equal("bob", friends.GetProperty("Rows").EnumerateArray().Single().GetProperty("Name").GetString());
        using var bobHttp = _host.Client(bob);
        Assert.Equal("alice", (await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!.Single().GetProperty("username").GetString());

        // another user's id with one's own token is refused
        var spoofed = await LegacyDialectAccountTests.Ginchat(client, "/searchFriends", new() { ["userId"] = bobId.ToString(), ["token"] = alice });
        Assert.Equal(-1, spoofed.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task searchGroups_lists_the_callers_groups()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        using var http = _host.Client(alice);
        await http.PostAsJsonAsync("/api/v1/groups", new { name = "Go gophers", description = "ex-ginchat" });
        var groups = await LegacyDialectAccountTests.Ginchat(_host.Client(), "/searchGroups", new() { ["userId"] = aliceId.ToString(), ["token"] = alice });
        var group = groups.GetProperty("Rows").EnumerateArray().Single();
        Assert.Equal("Go gophers", group.GetProperty("Name").GetString());
        Assert.Equal(aliceId, group.GetProperty("OwnerId").GetInt64());
        Assert.Equal("ex-ginchat", group.GetProperty("Desc").GetString());
    }
}
