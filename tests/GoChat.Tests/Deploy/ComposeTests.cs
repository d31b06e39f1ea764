using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Deploy;

/// <summary>
/// deploy/compose.yaml, checked without a Docker engine: Debian's docker-compose reads it, it
/// validates against the current compose-spec schema, it describes the cluster docs/deploy.md
/// promises, and its nginx configuration passes nginx -t.
/// </summary>
public sealed class ComposeTests
{
    static readonly string ComposeFile = Repository.PathOf("deploy/compose.yaml");
    // The schema names draft-07 by its https address; JsonSchema.Net knows the dialect by its canonical one.
    static readonly Lazy<JsonSchema> ComposeSpec = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Deploy", "compose-spec.json"))
        .Replace("\"https://json-schema.org/draft-07/schema\"", "\"http://json-schema.org/draft-07/schema#\"")));

    [Fact]
    public async Task Docker_compose_accepts_the_file()
    {
        var (exit, output) = await Run("docker-compose", ["-f", ComposeFile, "config", "-q"], Repository.Root);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void The_file_validates_against_the_compose_spec_schema()
    {
        var compose = YamlJson.Parse(File.ReadAllText(ComposeFile));
        var result = Validate(compose);
        Assert.True(result.IsValid, Errors(result));

        // The schema has teeth: a value of the wrong shape, or a misspelt key, is refused.
        var wrong = compose.DeepClone();
        wrong["services"]!["webfront"]!["restart"] = new JsonArray("always");
        Assert.False(Validate(wrong).IsValid);
        var misspelt = compose.DeepClone();
        misspelt["services"]!["silo"]!["healthchek"] = new JsonObject();
        Assert.False(Validate(misspelt).IsValid);
    }

    [Fact]
    public void The_file_runs_PostgreSQL_WebFronts_silos_a_TLS_proxy_and_coturn_with_healthchecks_and_time_to_stop()
    {
        var services = YamlJson.Parse(File.ReadAllText(ComposeFile))["services"]!.AsObject();
        Assert.Equal(["coturn", "postgres", "proxy", "secrets", "silo", "webfront"], services.Select(s => s.Key).Order());

        var postgres = services["postgres"]!;
        Assert.Contains("postgres:/var/lib/postgresql/data", Strings(postgres["volumes"]));
        Assert.Contains("pg_isready", Strings(postgres["healthcheck"]!["test"]));

        foreach (var (name, service) in services.Where(s => s.Key != "secrets"))
            Assert.True(service!["healthcheck"]?["test"] is JsonArray, $"{name} has no healthcheck");

        foreach (var (name, role) in new[] { ("webfront", "webfront"), ("silo", "silo") })
        {
            var node = services[name]!;
            var environment = node["environment"]!;
            Assert.Equal(role, (string?)environment["GOCHAT_ROLE"]);
            Assert.StartsWith("Host=postgres;", (string?)environment["ConnectionStrings__GoChat"]);
            Assert.Equal(["CMD", "gochat", "health"], Strings(node["healthcheck"]!["test"]));
            Assert.Equal("service_healthy", (string?)node["depends_on"]!["postgres"]!["condition"]);
            // Docker's stop waits longer than the host's own shutdown timeout, so nodes leave the cluster cleanly.
            var hostTimeout = TimeSpan.FromSeconds(int.Parse((string)environment["DOTNET_SHUTDOWNTIMEOUTSECONDS"]!));
            Assert.True(Duration((string)node["stop_grace_period"]!) > hostTimeout + TimeSpan.FromSeconds(10), $"{name}: stop_grace_period");
        }
        Assert.True((long)services["webfront"]!["deploy"]!["replicas"]! >= 2);
        Assert.True((long)services["silo"]!["deploy"]!["replicas"]! >= 1);
        // The WebFronts believe X-Forwarded-* from the proxy's network only (it reaches them over Docker's private ranges).
        Assert.Contains("172.16.0.0/12", (string?)services["webfront"]!["environment"]!["GoChat__ForwardedHeaders__KnownNetworks"]);
        Assert.Contains(Strings(services["webfront"]!["volumes"]), v => v.StartsWith("media:")); // one media store for every WebFront

        var proxy = services["proxy"]!;
        Assert.Contains(Strings(proxy["ports"]), p => p.EndsWith(":443"));
        Assert.Contains(Strings(proxy["volumes"]), v => v.EndsWith(":/etc/gochat/tls"));
        Assert.Equal("service_healthy", (string?)proxy["depends_on"]!["webfront"]!["condition"]);

        Assert.Contains(Strings(services["coturn"]!["ports"]), p => p.StartsWith("3478:3478/udp"));
    }

    [Fact]
    public async Task The_proxy_configuration_passes_nginx_t_with_TLS_and_the_shared_GoChat_settings()
    {
        var dir = TestDatabase.NewTempDirectory("gochat-proxy");
        try
        {
            // The image's paths and names mapped onto this machine: its include folder, a certificate, a
            // resolvable WebFront, free ports; everything else is the file as shipped.
            var (exit, output) = await Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", Path.Combine(dir, "tls.key"), "-out", Path.Combine(dir, "tls.crt")], dir);
            Assert.True(exit == 0, output);
            var site = (await File.ReadAllTextAsync(Repository.PathOf("deploy/docker/proxy/default.conf")))
                .Replace("/etc/nginx/gochat/", Repository.PathOf("deploy/nginx") + "/")
                .Replace("/etc/gochat/tls/", dir + "/")
                .Replace("webfront:8080", "127.0.0.1:8080")
                .Replace("listen 80;", $"listen 127.0.0.1:{GoChatProcess.FreePort()};")
                .Replace("listen 443 ssl;", $"listen 127.0.0.1:{GoChatProcess.FreePort()} ssl;");
            await File.WriteAllTextAsync(Path.Combine(dir, "site.conf"), site);
            await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
                pid {{dir}}/nginx.pid;
                error_log {{dir}}/error.log;
                events {}
                http {
                  client_body_temp_path {{dir}}/body;
                  proxy_temp_path {{dir}}/proxy;
                  include {{dir}}/site.conf;
                }
                """);
            (exit, output) = await Run("nginx", ["-t", "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log")], dir);
            Assert.True(exit == 0, output);
            Assert.Contains("test is successful", output);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static EvaluationResults Validate(JsonNode compose) =>
        ComposeSpec.Value.Evaluate(JsonDocument.Parse(compose.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    static string Errors(EvaluationResults result) =>
        string.Join('\n', (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!).ToList();

    /// <summary>A Compose duration such as 45s, 1m30s.</summary>
    static TimeSpan Duration(string value) =>
        System.Text.RegularExpressions.Regex.Matches(value, @"(\d+)(h|m|s|ms)").Aggregate(TimeSpan.Zero, (total, m) => total + (m.Groups[2].Value switch
        {
            "h" => TimeSpan.FromHours(int.Parse(m.Groups[1].Value)),
            "m" => TimeSpan.FromMinutes(int.Parse(m.Groups[1].Value)),
            "s" => TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value)),
            _ => TimeSpan.FromMilliseconds(int.Parse(m.Groups[1].Value)),
        }));

    static async Task<(int ExitCode, string Output)> Run(string program, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{program} is missing: run 'bash deploy/prerequisites.sh --tests'");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
