using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Accounts;
using GoChat.Tests.Infrastructure;
using GoChat.WebFront.Operations;

namespace GoChat.Tests.Operations;

/// <summary>
/// deploy/cluster.sh as its documentation runs it: PostgreSQL, two WebFronts, a headless silo and
/// nginx on this machine (free loopback ports, the build these tests run), used only through the proxy.
/// </summary>
public sealed class LocalClusterTests
{
    [Fact]
    public async Task The_cluster_script_serves_two_WebFronts_behind_one_URL_where_people_on_different_fronts_chat_live_and_down_leaves_no_process()
    {
        var dir = TestDatabase.NewTempDirectory("gochat-cluster");
        var proxy = GoChatProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["GOCHAT_CLUSTER_DIR"] = dir,
            ["GOCHAT_PROXY_PORT"] = proxy.ToString(),
            ["GOCHAT_WEB_PORTS"] = $"{GoChatProcess.FreePort()} {GoChatProcess.FreePort()}",
            ["GOCHAT_SILO_PORTS"] = $"{GoChatProcess.FreePort()} {GoChatProcess.FreePort()} {GoChatProcess.FreePort()}",
            ["GOCHAT_PG_PORT"] = GoChatProcess.FreePort().ToString(),
            ["GOCHAT_BIN_DIR"] = AppContext.BaseDirectory,
            ["GOCHAT_START_TIMEOUT"] = "90",
        };

        var up = await ClusterScript("up", environment, TimeSpan.FromSeconds(120));
        try
        {
            Assert.True(up.ExitCode == 0, up.Output);
            var url = new Uri($"http://127.0.0.1:{proxy}");
            Assert.Contains($"GoChat cluster is ready at {url.ToString().TrimEnd('/')}", up.Output);

            var status = await ClusterScript("status", environment, TimeSpan.FromSeconds(30));
            foreach (var node in new[] { "web1", "web2", "silo1" })
                Assert.Matches($@"(?m)^\s+{node}\s+127\.0\.0\.1:\d+\s+Active ", status.Output);

            await TwoPeopleOnDifferentFrontsChatLive(url);
        }
        finally
        {
            var pids = Directory.Exists(Path.Combine(dir, "run"))
                ? Directory.GetFiles(Path.Combine(dir, "run"), "*.pid").Select(f => File.ReadAllText(f).Trim()).ToList()
                : [];
            var down = await ClusterScript("down", environment, TimeSpan.FromSeconds(90));
            Assert.True(down.ExitCode == 0, down.Output);
            Assert.Equal(4, pids.Count); // web1, web2, silo1, nginx
            Assert.Empty(ProcessesMentioning(dir)); // the nodes, nginx and PostgreSQL (its command line names its data directory)
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static async Task TwoPeopleOnDifferentFrontsChatLive(Uri url)
    {
        var served = new ConcurrentBag<string>();
        using var http = new HttpClient(new NodeRecorder(served) { InnerHandler = new HttpClientHandler() }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

        // Hub connections are placed by a hash of the token: sign people up until two are on different fronts.
        var people = new List<(long Id, string Token, ChatClient Hub, string Node)>();
        try
        {
            for (var i = 0; i < 16 && people.Select(p => p.Node).Distinct().Count() < 2; i++)
            {
                var register = await http.PostAsJsonAsync("/api/v1/auth/register", new { username = $"proxied{i}", password = "proxied-pw" });
                var body = await register.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(register.IsSuccessStatusCode, body.ToString());
                var (id, token) = (body.GetProperty("userId").GetInt64(), body.GetProperty("token").GetString()!);
                var hubNodes = new ConcurrentBag<string>();
                var hub = await ChatClient.ConnectAsync(url, token, configure: o => o.HttpMessageHandlerFactory = inner => new NodeRecorder(hubNodes) { InnerHandler = inner });
                people.Add((id, token, hub, Assert.Single(hubNodes.Distinct())));
                await ABrowsersConnectionStaysOnOneFront(http, token);
            }
            Assert.Equal(["web1", "web2"], served.Distinct().Order()); // ordinary requests are balanced over both
            var alice = people.First();
            var bob = people.First(p => p.Node != alice.Node);

            var conversation = $"d:{Math.Min(alice.Id, bob.Id)}:{Math.Max(alice.Id, bob.Id)}";
            await alice.Hub.Send(conversation, "across-fronts-1", "hello from the other front");
            var received = await bob.Hub.WaitFor("message", m => m.GetProperty("text").GetString() == "hello from the other front");
            Assert.Equal(alice.Id, received.GetProperty("senderId").GetInt64());

            var douyin = await LegacyDialectAccountTests.Douyin(http, HttpMethod.Get, $"/douyin/user/?user_id={bob.Id}&token={alice.Token}");
            Assert.Equal(0, douyin.GetProperty("status_code").GetInt32());
            var ginchat = await LegacyDialectAccountTests.Ginchat(http, "/user/getUserList", new() { ["token"] = alice.Token });
            Assert.Equal(0, ginchat.GetProperty("code").GetInt32());
            Assert.Equal(people.Count, ginchat.GetProperty("data").GetArrayLength());
        }
        finally
        {
            foreach (var person in people) await person.Hub.DisposeAsync();
        }
    }

    /// <summary>
    /// A browser cannot put headers on a WebSocket or an EventSource, so it sends the token as
    /// ?access_token=: after a negotiate with a Bearer header the connection must reach the same
    /// front (a first long poll answers at once: 200 there, 404 anywhere else).
    /// </summary>
    static async Task ABrowsersConnectionStaysOnOneFront(HttpClient http, string token)
    {
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new("Bearer", token);
        var negotiated = await http.SendAsync(negotiate);
        Assert.True(negotiated.IsSuccessStatusCode, $"negotiate: {(int)negotiated.StatusCode}");
        var connectionToken = (await negotiated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();
        var poll = await http.GetAsync($"/hubs/chat?id={Uri.EscapeDataString(connectionToken!)}&access_token={Uri.EscapeDataString(token)}");
        Assert.True(poll.IsSuccessStatusCode, $"the connection went to another front than its negotiate: {(int)poll.StatusCode}");
        Assert.Equal(negotiated.Headers.GetValues(NodeHeader.Name), poll.Headers.GetValues(NodeHeader.Name));
        await http.DeleteAsync($"/hubs/chat?id={Uri.EscapeDataString(connectionToken!)}&access_token={Uri.EscapeDataString(token)}");
    }

    static async Task<(int? ExitCode, string Output)> ClusterScript(string verb, Dictionary<string, string> environment, TimeSpan within)
    {
        var start = new ProcessStartInfo("bash", [Repository.PathOf("deploy/cluster.sh"), verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (null, $"cluster.sh {verb} did not finish within {within}\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    static List<string> ProcessesMentioning(string text) =>
        Directory.GetDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d =>
            {
                try { return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' '); }
                catch (IOException) { return ""; }
                catch (UnauthorizedAccessException) { return ""; }
            })
            .Where(cmdline => cmdline.Contains(text))
            .ToList();

    /// <summary>Notes which node answered each response (X-GoChat-Node).</summary>
    sealed class NodeRecorder(ConcurrentBag<string> nodes) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues(NodeHeader.Name, out var node)) nodes.Add(node.Single());
            return response;
        }
    }
}
