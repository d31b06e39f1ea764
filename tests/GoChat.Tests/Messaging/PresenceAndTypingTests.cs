using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Messaging;

public sealed class PresenceAndTypingTests
{
    [Fact]
    public async Task Friends_see_a_user_online_until_the_last_connection_closes()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (_, bob) = await host.RegisterAsync("bob");
        using var bobHttp = host.Client(bob);
        await bobHttp.PostAsJsonAsync("/api/v1/contacts", new { userId = aliceId });
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);

        async Task<bool> AliceOnline() => (await bobHttp.GetFromJsonAsync<JsonElement[]>("/api/v1/contacts"))!.Single().GetProperty("online").GetBoolean();
        Assert.False(await AliceOnline());

        var phone = await ChatClient.ConnectAsync(host, alice);
        var laptop = await ChatClient.ConnectAsync(host, alice);
        await bobHub.WaitFor("presence", p => p.GetProperty("userId").GetInt64() == aliceId && p.GetProperty("online").GetBoolean());
        Assert.True(await AliceOnline());

        await phone.DisposeAsync();
        await Task.Delay(300);
        Assert.True(await AliceOnline());
        await laptop.DisposeAsync();
        await bobHub.WaitFor("presence", p => p.GetProperty("userId").GetInt64() == aliceId && !p.GetProperty("online").GetBoolean());
        Assert.False(await AliceOnline());
    }

    [Fact]
    public async Task A_WebFront_that_leaves_the_cluster_does_not_keep_its_users_online()
    {
        await using var first = await GoChatHost.StartAsync();
        var (aliceId, alice) = await first.RegisterAsync("alice");
        var (_, bob) = await first.RegisterAsync("bob");
        using var bobHttp = first.Client(bob);
        var second = await GoChatHost.StartAsync(first.ConnectionString);
        var aliceHub = await ChatClient.ConnectAsync(second, alice);
        async Task<bool> AliceOnline() => (await bobHttp.GetFromJsonAsync<JsonElement>($"/api/v1/users/{aliceId}")).GetProperty("online").GetBoolean();
        Assert.True(await AliceOnline());

        await second.DisposeAsync(); // the WebFront holding alice's connection goes away
        await aliceHub.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await AliceOnline() && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.False(await AliceOnline());
    }

    [Fact]
    public async Task Typing_reaches_the_other_members_only()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        var (_, mallory) = await host.RegisterAsync("mallory");
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        await using var aliceHub = await ChatClient.ConnectAsync(host, alice);
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);
        await aliceHub.Connection.InvokeAsync("Typing", conversation);
        var typing = await bobHub.WaitFor("typing", t => t.GetProperty("userId").GetInt64() == aliceId);
        Assert.Equal(conversation, typing.GetProperty("conversationId").GetString());
        await Task.Delay(200);
        Assert.Empty(aliceHub.Events("typing"));
        await using var malloryHub = await ChatClient.ConnectAsync(host, mallory);
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => malloryHub.Connection.InvokeAsync("Typing", conversation));
    }

    [Fact]
    public async Task A_member_typing_in_a_burst_reaches_the_others_once_a_second()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        await using var aliceHub = await ChatClient.ConnectAsync(host, alice);
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);

        var burst = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 40; i++) await aliceHub.Connection.InvokeAsync("Typing", conversation);
        await bobHub.WaitFor("typing", 1);
        await Task.Delay(300);
        // One per second passed on: the burst takes well under a second here, so exactly one.
        Assert.InRange(bobHub.Events("typing").Count, 1, 1 + (int)(burst.ElapsedMilliseconds / 1000));

        await Task.Delay(1100);
        await aliceHub.Connection.InvokeAsync("Typing", conversation);
        await bobHub.WaitFor("typing", bobHub.Events("typing").Count + 1);
    }
}
