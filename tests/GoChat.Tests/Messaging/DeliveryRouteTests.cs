using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace GoChat.Tests.Messaging;

/// <summary>Delivery routes: route grains forward events to the WebFronts attached to them.</summary>
public sealed class DeliveryRouteTests
{
    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    [Fact]
    public async Task A_message_reaches_a_user_connected_to_another_WebFront()
    {
        await using var first = await GoChatHost.StartAsync();
        var (aliceId, alice) = await first.RegisterAsync("alice");
        var (bobId, bob) = await first.RegisterAsync("bob");
        await using var second = await GoChatHost.StartAsync(first.ConnectionString);
        await using var aliceHub = await ChatClient.ConnectAsync(first, alice);
        await using var bobHub = await ChatClient.ConnectAsync(second, bob);

        var sent = await aliceHub.Send(Direct(aliceId, bobId), "m1", "across WebFronts");
        var received = await bobHub.WaitFor("message", m => m.GetProperty("clientMsgId").GetString() == "m1");
        Assert.Equal(sent.GetProperty("seq").GetInt64(), received.GetProperty("seq").GetInt64());
        Assert.Equal("across WebFronts", received.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Route_grains_that_forgot_their_WebFronts_are_attached_again()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        await using var aliceHub = await ChatClient.ConnectAsync(host, alice);
        await using var bobHub = await ChatClient.ConnectAsync(host, bob);
        var conversation = Direct(aliceId, bobId);
        await aliceHub.Send(conversation, "m1", "before");
        await bobHub.WaitFor("message", m => m.GetProperty("clientMsgId").GetString() == "m1");

        // Deactivate every idle grain: the route grains go, and with them the attachments they held in memory.
        Assert.True(await host.RouteGrainActivationsAsync() >= 2);
        await host.DeactivateRouteGrainsAsync();

        // What the lease does periodically and when a silo leaves the cluster.
        Assert.True(await host.Services.GetRequiredService<ChatDelivery>().ReattachAll(CancellationToken.None) >= 2);
        await aliceHub.Send(conversation, "m2", "after");
        var received = await bobHub.WaitFor("message", m => m.GetProperty("clientMsgId").GetString() == "m2");
        Assert.Equal(2, received.GetProperty("seq").GetInt64());
    }
}
