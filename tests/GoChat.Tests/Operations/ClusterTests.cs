using GoChat.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace GoChat.Tests.Operations;

public sealed class ClusterTests
{
    [Fact]
    public async Task A_WebFront_and_a_headless_Silo_on_one_database_form_one_cluster()
    {
        await using var webFront = await GoChatHost.StartAsync();
        using var silo = await GoChat.Silo.Program.CreateAsync(
            [$"--ConnectionStrings:GoChat={webFront.ConnectionString}", "--Logging:LogLevel:Default=Warning", "--GoChat:Silo:Port=0"]);
        await silo.StartAsync();
        try
        {
            // Status 3 = Active in the Orleans membership table.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            long active;
            do
            {
                active = await Sql.ScalarAsync<long>(webFront.ConnectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3");
                if (active == 2) break;
                await Task.Delay(250);
            } while (DateTime.UtcNow < deadline);
            Assert.Equal(2, active);

            // Grains placed on either silo serve the API: register and sign in a batch of users.
            for (var i = 0; i < 10; i++) await webFront.RegisterAsync($"member{i}");
            Assert.Equal(10L, await Sql.ScalarAsync<long>(webFront.ConnectionString, "SELECT count(*) FROM users"));
        }
        finally
        {
            await silo.StopAsync();
        }
        Assert.Equal(1L, await Sql.ScalarAsync<long>(webFront.ConnectionString, "SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3"));
    }
}
