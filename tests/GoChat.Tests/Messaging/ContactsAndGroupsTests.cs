using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Messaging;

public sealed class ContactsAndGroupsTests : IAsyncLifetime
{
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Adding_a_contact_makes_both_users_friends_and_removing_ends_it_for_both()
    {
        var (_, alice) = await _host.RegisterAsync("alice");
        var (bobId, bob) = await _host.RegisterAsync("bob");
        using var aliceHttp = _host.Client(alice);
        using var bobHttp = _host.Client(bob);

        var added = await aliceHttp.PostAsJsonAsync("/api/v1/contacts", new { username = "BOB" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(bobId, (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, (await aliceHttp.PostAsJsonAsync("/api/v1/contacts", new { userId = bobId })).StatusCode);
        Assert.Equal(new[] { "bob" }, (await aliceHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!.Select(u => u.GetProperty("username").GetString()));
        Assert.Equal(new[] { "alice" }, (await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!.Select(u => u.GetProperty("username").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await bobHttp.DeleteAsync("/api/v1/contacts/" + (await aliceHttp.GetFromJsonAsync<JsonElement>("/api/v1/users/me")).GetProperty("id").GetInt64())).StatusCode);
        Assert.Empty((await aliceHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!);
        Assert.Empty((await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!);

        Assert.Equal(HttpStatusCode.BadRequest, (await aliceHttp.PostAsJsonAsync("/api/v1/contacts", new { username = "alice" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await aliceHttp.PostAsJsonAsync("/api/v1/contacts", new { username = "nobody" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await aliceHttp.PostAsJsonAsync("/api/v1/contacts", new { })).StatusCode);
    }

    [Fact]
    public async Task Groups_have_roles_and_a_member_who_joins_while_connected_receives_the_groups_messages()
    {
        var (ownerId, owner) = await _host.RegisterAsync("owner");
        var (memberId, member) = await _host.RegisterAsync("member");
        var (lateId, late) = await _host.RegisterAsync("latecomer");
        using var ownerHttp = _host.Client(owner);
        using var memberHttp = _host.Client(member);
        using var lateHttp = _host.Client(late);

        var group = await (await ownerHttp.PostAsJsonAsync("/api/v1/groups", new { name = "Rust Readers", description = "weekly", memberIds = new[] { memberId } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var groupId = group.GetProperty("id").GetInt64();
        var conversation = group.GetProperty("conversationId").GetString()!;
        Assert.Equal($"g:{groupId}", conversation);
        Assert.Equal(2, group.GetProperty("memberCount").GetInt32());

        var details = await memberHttp.GetFromJsonAsync<JsonElement>($"/api/v1/groups/{groupId}");
        var roles = details.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("user").GetProperty("id").GetInt64(), m => m.GetProperty("role").GetString());
        Assert.Equal("owner", roles[ownerId]);
        Assert.Equal("member", roles[memberId]);

        // a plain member cannot add or remove others
        Assert.Equal(HttpStatusCode.Forbidden, (await memberHttp.PostAsJsonAsync($"/api/v1/groups/{groupId}/members", new { userIds = new[] { lateId } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await memberHttp.DeleteAsync($"/api/v1/groups/{groupId}/members/{ownerId}")).StatusCode);

        // search by name, and the latecomer joins while connected
        var found = await lateHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/groups?search=rust");
        Assert.Equal(groupId, found!.Single().GetProperty("id").GetInt64());
        await using var lateHub = await ChatClient.ConnectAsync(_host, late);
        Assert.Equal(HttpStatusCode.NoContent, (await lateHttp.PostAsync($"/api/v1/groups/{groupId}/join", null)).StatusCode);
        var updated = await lateHub.WaitFor("conversationUpdated", 1);
        Assert.Equal(conversation, updated[0].GetProperty("id").GetString());

        await using var ownerHub = await ChatClient.ConnectAsync(_host, owner);
        await ownerHub.Send(conversation, "hello-all", "welcome");
        Assert.Equal("welcome", (await lateHub.WaitFor("message", 1)).Single().GetProperty("text").GetString());
        Assert.Equal(new[] { groupId }, (await lateHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/groups"))!.Select(g => g.GetProperty("id").GetInt64()));

        // leaving stops delivery and access
        Assert.Equal(HttpStatusCode.NoContent, (await lateHttp.DeleteAsync($"/api/v1/groups/{groupId}/members/{lateId}")).StatusCode);
        await Task.Delay(500);
        await ownerHub.Send(conversation, "after-leave", "you left");
        await ownerHub.WaitFor("message", 2);
        Assert.Single(lateHub.Events("message"));
        Assert.Equal(HttpStatusCode.Forbidden, (await lateHttp.GetAsync($"/api/v1/conversations/{conversation}/messages")).StatusCode);

        // the owner removes a member; the group conversation shows in the member's list until then
        Assert.Contains((await memberHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations"))!, c => c.GetProperty("id").GetString() == conversation);
        Assert.Equal(HttpStatusCode.NoContent, (await ownerHttp.DeleteAsync($"/api/v1/groups/{groupId}/members/{memberId}")).StatusCode);
        Assert.DoesNotContain((await memberHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/conversations"))!, c => c.GetProperty("id").GetString() == conversation);
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"ok\",\"memberIds\":[987654]}", "no user")]
    public async Task Bad_groups_are_refused(string body, string expected)
    {
        var (_, owner) = await _host.RegisterAsync("owner");
        using var http = _host.Client(owner);
        var response = await http.PostAsync("/api/v1/groups", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_host.ConnectionString, "SELECT count(*) FROM groups"));
    }
}
