using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace GoChat.Tests.Operations;

/// <summary>
/// OpenTelemetry listens to meters by name across the process, so with several hosts in one test
/// process each /metrics sums them all (a deployed process has one host): the exact counts here
/// need the other test classes not to be sending meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetricsCollection
{
    public const string Name = "process-wide metrics";
}

/// <summary>Metrics at /metrics for allowed addresses only, the Orleans dashboard for administrators only, JSON console logs.</summary>
[Collection(ProcessWideMetricsCollection.Name)]
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Metrics_from_loopback_show_gochat_and_orleans_series_and_count_each_stored_message_once()
    {
        await using var host = await GoChatHost.StartAsync();
        var (aliceId, aliceToken) = await host.RegisterAsync("metrics_alice");
        var (bobId, bobToken) = await host.RegisterAsync("metrics_bob");
        var conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
        await using var bob = await ChatClient.ConnectAsync(host, bobToken);
        using var alice = host.Client(aliceToken);
        using var scraper = host.Client();
        var sentBefore = Value(await Scrape(scraper), "gochat_messages_sent_total");

        foreach (var clientMsgId in new[] { "one", "two", "three", "three" }) // the last is a client's retry: stored once
        {
            var sent = await alice.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId, kind = "text", text = clientMsgId });
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }
        await bob.WaitFor("message", 3);

        // The exporter may answer from a scrape cached for a moment: wait for the counters to move.
        var metrics = await Scrape(scraper);
        for (var i = 0; i < 50 && Value(metrics, "gochat_messages_delivered_total") < 3; i++)
        {
            await Task.Delay(100);
            metrics = await Scrape(scraper);
        }
        Assert.Equal(sentBefore + 3, Value(metrics, "gochat_messages_sent_total"));
        Assert.Equal(3, Value(metrics, "gochat_messages_delivered_total")); // bob's route only: alice has no hub connection
        Assert.Equal(1, Value(metrics, "gochat_hub_connections"));
        Assert.True(Value(metrics, "gochat_routes_attached") >= 1);
        Assert.Matches(new Regex(@"^gochat_storage_commit_batch_size\w*_count", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex(@"^orleans_\w+", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex(@"^http_server_request_duration\w*", RegexOptions.Multiline), metrics);
    }

    [Fact]
    public async Task A_headless_silo_given_an_http_address_serves_its_own_metrics()
    {
        await using var host = await GoChatHost.StartAsync();
        var port = GoChatProcess.FreePort();
        using var headless = await HeadlessSiloProcess.StartAsync(host, $"--urls=http://127.0.0.1:{port}");
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        // The cluster may see the silo active a moment before its HTTP port opens (the port opens once it has joined).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await scraper.GetAsync("/readyz")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        var metrics = await Scrape(scraper);
        Assert.Matches(new Regex(@"^orleans_\w+", RegexOptions.Multiline), metrics);
        Assert.Matches(new Regex(@"^target_info\{[^}]*service_instance_id=", RegexOptions.Multiline), metrics);
    }

    [Fact]
    public async Task Metrics_are_refused_to_an_address_the_operator_did_not_allow()
    {
        // Loopback left out of the allow-list stands for any address not on it.
        await using var host = await GoChatHost.StartAsync(null, "--GoChat:Telemetry:MetricsAllowedFrom=10.0.0.0/8, 192.0.2.7");
        using var http = host.Client();
        var refused = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("gochat_", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_dashboard_is_served_to_administrators_and_refused_to_other_users_and_to_anonymous_callers()
    {
        await using var host = await GoChatHost.StartAsync(null, "--GoChat:Telemetry:Dashboard=true");
        // The first account of a server is its administrator (made so by SQL below too, as before that rule).
        var (adminId, adminToken) = await host.RegisterAsync("dash_admin");
        var (_, userToken) = await host.RegisterAsync("dash_user");
        await Sql.ScalarAsync<int>(host.ConnectionString, $"UPDATE users SET is_admin = true WHERE id = {adminId} RETURNING 1");
        using var anonymous = host.Client();
        using var user = host.Client(userToken);
        using var admin = host.Client(adminToken);

        foreach (var path in new[] { "/dashboard", "/dashboard/DashboardCounters" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync(path)).StatusCode);
        }
        var page = await admin.GetAsync("/dashboard/"); // "/dashboard" redirects here, and HttpClient drops the Authorization header on a redirect
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("html", (await page.Content.ReadAsStringAsync()).ToLowerInvariant());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/dashboard/DashboardCounters")).StatusCode);
    }

    [Fact]
    public async Task A_browser_opening_the_dashboard_with_an_administrators_token_gets_its_data_requests_through_a_dashboard_cookie()
    {
        await using var host = await GoChatHost.StartAsync(null, "--GoChat:Telemetry:Dashboard=true");
        var (adminId, adminToken) = await host.RegisterAsync("dash_cookie_admin");
        var (_, userToken) = await host.RegisterAsync("dash_cookie_user");
        await Sql.ScalarAsync<int>(host.ConnectionString, $"UPDATE users SET is_admin = true WHERE id = {adminId} RETURNING 1");
        using var browser = host.Client(); // no Authorization header; HttpClient keeps cookies as a browser does
        using var userBrowser = host.Client();

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/dashboard/?access_token={adminToken}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/DashboardCounters")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/users/me")).StatusCode); // the cookie is the dashboard's alone

        Assert.Equal(HttpStatusCode.Forbidden, (await userBrowser.GetAsync($"/dashboard/?access_token={userToken}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await userBrowser.GetAsync("/dashboard/DashboardCounters")).StatusCode);
    }

    [Fact]
    public async Task The_json_console_option_writes_one_json_object_per_log_line()
    {
        var connectionString = await TestDatabase.CreateAsync();
        var port = GoChatProcess.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var gochat = await GoChatProcess.StartInProjectFolderAsync(address,
            new Dictionary<string, string?> { ["ConnectionStrings__GoChat"] = connectionString, ["GoChat__Telemetry__ConsoleLogFormat"] = "json" },
            TimeSpan.FromSeconds(90), $"--urls={address}", "--GoChat:Silo:Port=0");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!gochat.Output.Contains("\"EventId\":6010") && DateTime.UtcNow < deadline) await Task.Delay(100);

        var lines = gochat.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line); // throws on a line that is not JSON
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
            Assert.True(entry.RootElement.TryGetProperty("Category", out _), line);
        }
        Assert.Contains(lines, l => JsonDocument.Parse(l).RootElement.GetProperty("EventId").GetInt32() == 6010);
    }

    [Fact]
    public async Task With_an_otlp_endpoint_configured_traces_and_metrics_are_exported_to_it()
    {
        // A stand-in collector: OTLP over HTTP posts to /v1/traces and /v1/metrics.
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", (string signal) => { received.Enqueue(signal); return Results.Ok(); });
        await collector.StartAsync();

        await using var host = await GoChatHost.StartAsync(null,
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={collector.Urls.First()}", "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_METRIC_EXPORT_INTERVAL=500", "--OTEL_BSP_SCHEDULE_DELAY=200");
        await host.RegisterAsync("otlp_user");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(received.Contains("traces") && received.Contains("metrics")) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Contains("traces", received);
        Assert.Contains("metrics", received);
    }

    static async Task<string> Scrape(HttpClient http)
    {
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of a series without labels other than the scope's, 0 when not there yet.</summary>
    static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, $@"^{name}(?:\{{[^}}]*\}})?\s+(\S+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
