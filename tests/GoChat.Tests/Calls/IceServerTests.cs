using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GoChat.Tests.Calls;

/// <summary>GET /api/v1/calls/ice-servers: STUN and TURN from configuration, TURN credentials in the TURN REST scheme.</summary>
public sealed class IceServerTests(IceServerTests.WithTurn calls) : IClassFixture<IceServerTests.WithTurn>
{
    public const string Secret = "test-turn-secret-0123456789";

    public sealed class WithTurn : CallHost
    {
        protected override string[] Settings =>
        [
            "--GoChat:Calls:TurnUrls:0=turn:127.0.0.1:3478?transport=udp",
            "--GoChat:Calls:TurnUrls:1=turn:127.0.0.1:3478?transport=tcp",
            "--GoChat:Calls:StunUrls:0=stun:127.0.0.1:3478",
            $"--GoChat:Calls:TurnSecret={Secret}",
            "--GoChat:Calls:CredentialTtl=02:00:00",
        ];
    }

    [Fact]
    public async Task The_TURN_credential_is_the_callers_own_expires_after_the_ttl_and_verifies_with_the_shared_secret()
    {
        var alice = await calls.PersonAsync("alice");
        using var http = calls.Host.Client(alice.Token);
        var response = await http.GetAsync("/api/v1/calls/ice-servers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(7200, body.GetProperty("ttlSeconds").GetInt32());
        var servers = body.GetProperty("iceServers").EnumerateArray().ToList();
        var stun = servers.Single(s => s.GetProperty("urls")[0].GetString()!.StartsWith("stun:"));
        Assert.False(stun.TryGetProperty("username", out _));
        var turn = servers.Single(s => s.GetProperty("urls")[0].GetString()!.StartsWith("turn:"));
        Assert.Equal(2, turn.GetProperty("urls").GetArrayLength());

        var username = turn.GetProperty("username").GetString()!;
        var parts = username.Split(':');
        Assert.Equal(alice.Id.ToString(), parts[1]);
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0]));
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddHours(2).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(2).AddMinutes(1));
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(username)));
        Assert.Equal(expected, turn.GetProperty("credential").GetString());
        Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ice_servers_need_a_signed_in_caller()
    {
        using var anonymous = calls.Host.Client();
        var response = await anonymous.GetAsync("/api/v1/calls/ice-servers");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
