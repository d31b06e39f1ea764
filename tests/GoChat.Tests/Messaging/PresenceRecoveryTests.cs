using GoChat.Grains.Users;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Realtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace GoChat.Tests.Messaging;

/// <summary>
/// User grains keep presence in memory; when one is lost with its silo, the WebFronts holding the
/// user's connections report them again, so every connected user shows online again.
/// </summary>
public sealed class PresenceRecoveryTests
{
    const int Users = 24;

    static async Task<List<(long Id, string Token)>> RegisterAsync(GoChatHost host)
    {
        var users = new List<(long, string)>();
        for (var i = 0; i < Users; i++) users.Add(await host.RegisterAsync($"user{i}"));
        return users;
    }

    static async Task<int> OnlineAsync(GoChatHost host, IEnumerable<long> userIds)
    {
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        return (await Task.WhenAll(userIds.Select(id => grains.GetGrain<IUserGrain>(id).IsOnline()))).Count(online => online);
    }

    /// <summary>Polls until every user shows online, or the time is up; returns how many did.</summary>
    static async Task<int> AllOnlineWithin(GoChatHost host, IReadOnlyCollection<long> userIds, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        int online;
        while ((online = await OnlineAsync(host, userIds)) < userIds.Count && DateTime.UtcNow < deadline) await Task.Delay(200);
        return online;
    }

    [Fact]
    public async Task Every_connected_user_is_online_again_after_the_user_grains_were_lost()
    {
        await using var host = await GoChatHost.StartAsync();
        var users = await RegisterAsync(host);
        var ids = users.Select(u => u.Id).ToList();
        var hubs = new List<ChatClient>();
        try
        {
            foreach (var (_, token) in users) hubs.Add(await ChatClient.ConnectAsync(host, token));
            Assert.Equal(Users, await OnlineAsync(host, ids));

            await host.DeactivateUserGrainsAsync(ids);
            Assert.Equal(0, await OnlineAsync(host, ids));

            // What the lease does every period and whenever a silo leaves the cluster; done twice, nobody counts twice.
            var lease = host.Services.GetRequiredService<RouteLease>();
            await lease.RenewAll(CancellationToken.None);
            await lease.RenewAll(CancellationToken.None);
            Assert.Equal(Users, await OnlineAsync(host, ids));

            // Idempotent: one disconnect per user still takes each offline.
            foreach (var hub in hubs) await hub.DisposeAsync();
            hubs.Clear();
            Assert.Equal(0, await AllOfflineWithin(host, ids, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            foreach (var hub in hubs) await hub.DisposeAsync();
        }
    }

    static async Task<int> AllOfflineWithin(GoChatHost host, IReadOnlyCollection<long> userIds, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        int online;
        while ((online = await OnlineAsync(host, userIds)) > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        return online;
    }

    [Fact]
    public async Task Users_connected_to_a_WebFront_are_online_again_soon_after_the_silo_holding_their_user_grains_stops()
    {
        await using var webFront = await GoChatHost.StartAsync();
        var users = await RegisterAsync(webFront);
        var ids = users.Select(u => u.Id).ToList();
        await webFront.DeactivateUserGrainsAsync(ids);

        using var silo = await GoChat.Silo.Program.CreateAsync(
            [$"--ConnectionStrings:GoChat={webFront.ConnectionString}", "--Logging:LogLevel:Default=Warning", "--GoChat:Silo:Port=0"]);
        await silo.StartAsync();
        var hubs = new List<ChatClient>();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await Sql.ScalarAsync<long>(webFront.ConnectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3") < 2 && DateTime.UtcNow < deadline)
                await Task.Delay(250);
            // The user grains are activated from the headless silo, which places (at least some of) them there.
            var siloGrains = silo.Services.GetRequiredService<IGrainFactory>();
            foreach (var id in ids) await siloGrains.GetGrain<IUserGrain>(id).GetProfile();
            var onSilo = await webFront.ActivationsAsync(GoChatHost.UserGrainType, silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
            Assert.True(onSilo > 0, "no user grain was placed on the headless silo");

            foreach (var (_, token) in users) hubs.Add(await ChatClient.ConnectAsync(webFront, token));
            Assert.Equal(Users, await OnlineAsync(webFront, ids));

            // The silo goes, and the presence its user grains held with it; the WebFront reports its connections again at once.
            await silo.StopAsync();
            Assert.Equal(Users, await AllOnlineWithin(webFront, ids, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            foreach (var hub in hubs) await hub.DisposeAsync();
        }
    }
}
