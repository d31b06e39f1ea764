using GoChat.Tests.Bots;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace GoChat.Tests.HostileInput;

/// <summary>
/// A hub method that says no (a HubException) is an answer, not a server error: the log an operator
/// reads stays quiet, whatever a client sends. A failure nobody foresaw is logged by the hub once, with its id.
/// </summary>
public sealed class HubRefusalLogTests : IAsyncLifetime
{
    readonly CapturedLogs _logs = new();
    GoChatHost _host = null!;

    public async Task InitializeAsync() => _host = await GoChatHost.StartAsync(null, builder => builder.Logging.AddProvider(_logs));
    public async Task DisposeAsync() => await _host.DisposeAsync();

    IReadOnlyList<string> Errors => _logs.Lines.Where(l => l.StartsWith("Error ", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Refused_hub_calls_are_not_logged_as_errors_and_an_unforeseen_failure_is_logged_once_with_its_id()
    {
        var (aliceId, alice) = await _host.RegisterAsync("alice");
        var (bobId, _) = await _host.RegisterAsync("bob");
        var direct = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        await using var hub = await ChatClient.ConnectAsync(_host, alice);

        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<System.Text.Json.JsonElement>("AcceptCall", "no such call"));
            await Assert.ThrowsAsync<HubException>(() => hub.Send("g:999999", $"c{i}", "hello"));
        }
        Assert.Empty(Errors);

        await Sql.ExecuteAsync(_host.ConnectionString, """
            CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.text = 'refuse me' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_marked BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_marked();
            """);
        var failed = await Assert.ThrowsAsync<HubException>(() => hub.Send(direct, "c-refused", "refuse me"));
        Assert.Contains("the server could not complete this request", failed.Message);
        Assert.Contains("SendMessage", Assert.Single(Errors, e => e.Contains("[9100]", StringComparison.Ordinal)));
        Assert.DoesNotContain(Errors, e => e.StartsWith($"Error {WebFront.Realtime.HubMethodFailures.DispatcherCategory}", StringComparison.Ordinal));
    }
}
