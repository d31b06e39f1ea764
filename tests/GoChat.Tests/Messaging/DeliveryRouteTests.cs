using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using GoChat.WebFront.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace GoChat.Tests.Messaging;

/// <summary>Delivery routes: route grains forward events to the WebFronts attached to them.</summary>
public sealed class DeliveryRouteTests
{
    static string Direct(long a, long b) => $"d:{Math.Min(a, b)}:{Math.Max(a, b)}";

    sealed record Pair(ChatClient Alice, ChatClient Bob, string Conversation) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
        }
    }

    /// <summary>Alice and Bob connected to the hub, with one message from Alice delivered live to Bob.</summary>
    static async Task<Pair> ConnectedPairAsync(GoChatHost host)
    {
        var (aliceId, alice) = await host.RegisterAsync("alice");
        var (bobId, bob) = await host.RegisterAsync("bob");
        var aliceHub = await ChatClient.ConnectAsync(host, alice);
        var bobHub = await ChatClient.ConnectAsync(host, bob);
        var conversation = Direct(aliceId, bobId);
        await aliceHub.Send(conversation, "m1", "before");
        await bobHub.WaitFor("message", m => m.GetProperty("clientMsgId").GetString() == "m1");
        return new Pair(aliceHub, bobHub, conversation);
    }

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
        await using var pair = await ConnectedPairAsync(host);
        var (aliceHub, bobHub, conversation) = pair;

        // Deactivate every idle grain: the route grains go, and with them the attachments they held in memory.
        Assert.True(await host.RouteGrainActivationsAsync() >= 2);
        await host.DeactivateRouteGrainsAsync();

        // What the lease does periodically and when a silo leaves the cluster.
        Assert.True(await host.Services.GetRequiredService<RouteLease>().RenewAll(CancellationToken.None) >= 2);
        await aliceHub.Send(conversation, "m2", "after");
        var received = await bobHub.WaitFor("message", m => m.GetProperty("clientMsgId").GetString() == "m2");
        Assert.Equal(2, received.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task A_route_that_forgot_its_WebFront_tells_the_connections_to_resync_when_attached_again()
    {
        await using var host = await GoChatHost.StartAsync();
        await using var pair = await ConnectedPairAsync(host);
        var (aliceHub, bobHub, conversation) = pair;

        // The routes forget this WebFront (as when their silo dies); a message sent meanwhile is
        // committed but reaches nobody live.
        await host.DeactivateRouteGrainsAsync();
        await aliceHub.Send(conversation, "m2", "while the routes were rebuilt");
        await Task.Delay(500);
        Assert.DoesNotContain(bobHub.Events("message"), m => m.GetProperty("clientMsgId").GetString() == "m2");
        Assert.Empty(bobHub.Events("resync"));

        // Attaching again finds the routes had forgotten: every connection of theirs is told to resync,
        // and Sync then shows what was missed.
        await host.Services.GetRequiredService<RouteLease>().RenewAll(CancellationToken.None);
        var resync = (await bobHub.WaitFor("resync", 1))[0];
        Assert.Equal(System.Text.Json.JsonValueKind.Null, resync.GetProperty("conversationId").ValueKind);
        await aliceHub.WaitFor("resync", 1);
        var synced = await bobHub.Connection.InvokeAsync<System.Text.Json.JsonElement[]>("Sync");
        Assert.Equal(2, synced.Single(c => c.GetProperty("id").GetString() == conversation).GetProperty("lastSeq").GetInt64());

        // A route that still knows this WebFront says nothing.
        await host.Services.GetRequiredService<RouteLease>().RenewAll(CancellationToken.None);
        await Task.Delay(500);
        Assert.Single(bobHub.Events("resync"));
    }
}
