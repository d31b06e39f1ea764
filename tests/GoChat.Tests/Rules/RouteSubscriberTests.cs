using System.Collections.Concurrent;
using GoChat.Grains.Chat;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Rules;

/// <summary>A route grain's subscribers, on a TestCluster silo: identified by name as well as silo.</summary>
[Trait("Tier", "Fast")]
public sealed class RouteSubscriberTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    sealed class Receiver : IChatReceiver
    {
        public readonly BlockingCollection<(RouteKey Route, ChatEvent Event)> Received = [];

        public Task Receive(RouteKey route, ChatEvent chatEvent)
        {
            Received.Add((route, chatEvent));
            return Task.CompletedTask;
        }

        public ChatEvent? Next() => Received.TryTake(out var item, TimeSpan.FromSeconds(5)) ? item.Event : null;
    }

    [Fact]
    public async Task Two_subscribers_on_one_silo_each_get_every_event_and_detach_on_their_own()
    {
        var route = cluster.Grains.Route(RouteKey.ForGroup(424242));
        var (webFront, bots) = (new Receiver(), new Receiver());
        var webFrontId = new RouteSubscriber(cluster.SiloAddress, "webfront");
        var botsId = new RouteSubscriber(cluster.SiloAddress, "bots");

        Assert.False(await route.Attach(webFrontId, cluster.Client.CreateObjectReference<IChatReceiver>(webFront)));
        Assert.False(await route.Attach(botsId, cluster.Client.CreateObjectReference<IChatReceiver>(bots)));
        Assert.True(await route.Attach(botsId, cluster.Client.CreateObjectReference<IChatReceiver>(bots))); // attaching again is idempotent

        // (Order is not asserted here: observer calls to this test's external client may be run out of
        // order by that client; delivery is the fast path and clients order messages by seq.)
        for (var seq = 1; seq <= 20; seq++) await route.Deliver(new UserTyping("g:424242", seq));
        var atWebFront = Enumerable.Range(1, 20).Select(_ => ((UserTyping)webFront.Next()!).UserId).ToList();
        var atBots = Enumerable.Range(1, 20).Select(_ => ((UserTyping)bots.Next()!).UserId).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), atWebFront.Order());
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), atBots.Order());

        await route.Detach(botsId);
        await route.Deliver(new Resync("g:424242"));
        Assert.IsType<Resync>(webFront.Next());
        Assert.False(bots.Received.TryTake(out _, TimeSpan.FromMilliseconds(500)), "a detached subscriber still received");
    }
}
