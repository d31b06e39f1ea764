using System.Diagnostics;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Deploy;

/// <summary>
/// The container images, checked without a Docker engine: the Dockerfiles' structure (a lint of what
/// matters here), the files they copy, the build stage's own dotnet commands run here, and the
/// entrypoint and healthcheck script against real processes.
/// </summary>
public sealed class ContainerImageTests
{
    static readonly string Entrypoint = Repository.PathOf("deploy/docker/entrypoint.sh");

    [Fact]
    public void GoChats_image_is_built_by_the_SDK_and_runs_on_the_ASP_NET_runtime_as_a_non_root_user()
    {
        var docker = Dockerfile.Read(Repository.PathOf("Dockerfile"));
        Assert.Equal(["node:22-bookworm-slim", "mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"], docker.Stages.Select(s => s.Image));
        Assert.Equal(["client", "build", "runtime"], docker.Stages.Select(s => s.Name));

        var runtime = docker.Final;
        var user = Assert.Single(runtime.Arguments("USER"));
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        Assert.Equal("$APP_UID", user); // the .NET images' own unprivileged user (app, 1654)
        Assert.DoesNotContain(runtime.Arguments("RUN"), r => r.Contains("apt-get") || r.Contains("dotnet "));
        Assert.Equal("[\"gochat\"]", Assert.Single(runtime.Arguments("ENTRYPOINT")));
        Assert.Contains("CMD [\"gochat\", \"health\"]", Assert.Single(runtime.Arguments("HEALTHCHECK")));
        Assert.Contains("8080", Assert.Single(runtime.Arguments("EXPOSE")).Split(' '));
        Assert.Contains(runtime.Arguments("ENV"), e => e.Contains("DOTNET_SHUTDOWNTIMEOUTSECONDS=30"));
        LintCommonRules(docker);
    }

    [Fact]
    public void The_proxy_image_pins_its_base_and_keeps_no_package_lists()
    {
        var docker = Dockerfile.Read(Repository.PathOf("deploy/docker/proxy/Dockerfile"));
        Assert.StartsWith("nginx:1.", Assert.Single(docker.Stages).Image);
        var install = Assert.Single(docker.Final.Arguments("RUN"));
        Assert.Contains("apt-get install -y --no-install-recommends", install);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", install);
        Assert.Single(docker.Final.Arguments("HEALTHCHECK"));
        LintCommonRules(docker);
    }

    /// <summary>
    /// The rules of hadolint's that apply to these files: every base image has an explicit tag (not
    /// latest); COPY, never ADD; apt-get update only together with install; a COPY --from names an
    /// earlier stage; what a plain COPY takes exists in the build context (.dockerignore keeps it).
    /// </summary>
    static void LintCommonRules(Dockerfile docker)
    {
        var seen = new List<string>();
        foreach (var stage in docker.Stages)
        {
            Assert.Matches(@"^[^:@\s]+(:[\w.-]+|@sha256:[0-9a-f]{64})$", stage.Image);
            Assert.DoesNotContain(":latest", stage.Image);
            Assert.Empty(stage.Arguments("ADD"));
            Assert.All(stage.Arguments("RUN").Where(r => r.Contains("apt-get update")), r => Assert.Contains("apt-get install", r));
            foreach (var copy in stage.Arguments("COPY"))
            {
                var words = copy.Split(' ');
                var from = words.FirstOrDefault(w => w.StartsWith("--from="))?["--from=".Length..];
                if (from is not null)
                {
                    Assert.Contains(from, seen);
                    continue;
                }
                foreach (var source in words.Where(w => !w.StartsWith("--")).SkipLast(1))
                {
                    var path = source.TrimEnd('/');
                    Assert.True(File.Exists(Repository.PathOf(path)) || Directory.Exists(Repository.PathOf(path)), $"COPY {source}: no such file");
                    Assert.True(BuildContext.Keeps(path), $"COPY {source}: .dockerignore leaves it out of the build context");
                }
            }
            if (stage.Name is not null) seen.Add(stage.Name);
        }
    }

    [Fact]
    public async Task The_Dockerfiles_own_dotnet_commands_run_here_publish_the_programs_its_entrypoint_starts()
    {
        var docker = Dockerfile.Read(Repository.PathOf("Dockerfile"));
        var build = docker.Stages.Single(s => s.Name == "build");
        Assert.Equal("/src", build.Arguments("WORKDIR").Single());
        var context = BuildContext.CopyTo(TestDatabase.NewTempDirectory("gochat-image"));
        try
        {
            // The client stage's output, which the build stage copies into WebFront/wwwroot: here, the web client this checkout built.
            Assert.Contains("--from=client /src/WebFront/wwwroot/ WebFront/wwwroot/", build.Arguments("COPY"));
            CopyDirectory(Repository.PathOf("WebFront/wwwroot"), Path.Combine(context, "WebFront", "wwwroot"));

            var commands = build.Arguments("RUN").Where(r => r.StartsWith("dotnet ")).ToList();
            Assert.Equal(2, commands.Count); // restore, publish
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
            foreach (var command in commands)
            {
                var (exit, output) = await Run("bash", ["-c", command], context, timeout.Token);
                Assert.True(exit == 0, $"{command}\n{output}");
            }

            var publish = commands.Single(c => c.StartsWith("dotnet publish "));
            var outDir = Regex.Match(publish, @"(?:-o|--output) (\S+)").Groups[1].Value;
            Assert.Contains($"--from=build /src/{outDir}/ ./", docker.Final.Arguments("COPY"));
            Assert.Equal("/app", docker.Final.Arguments("WORKDIR").Last());
            Assert.True(File.Exists(Path.Combine(context, outDir, "wwwroot", "index.html")), "the web client is not in the published output");

            var programs = Regex.Matches(await File.ReadAllTextAsync(Entrypoint), @"exec dotnet /app/(\S+\.dll)").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(["GoChat.WebFront.dll", "GoChat.Silo.dll"], programs);
            foreach (var program in programs)
            {
                var dll = Path.Combine(context, outDir, program);
                Assert.True(File.Exists(dll), $"the entrypoint starts /app/{program}, which the publish did not produce");
                // It runs: given a wrong setting, it stops at once saying so (no database needed).
                var (exit, output) = await Run("dotnet", [dll, "--GoChat:Silo:Port=abc"], Path.GetDirectoryName(dll)!, timeout.Token);
                Assert.True(exit == 2, $"{program}: exit {exit}\n{output}");
                Assert.Contains("GoChat cannot start: ", output);
            }
        }
        finally
        {
            try { Directory.Delete(context, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public async Task The_images_healthcheck_passes_on_a_ready_node_and_fails_where_none_answers()
    {
        await using var host = await GoChatHost.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Started is not yet ready (the signing key loads in the background): wait as Docker's start period does.
        using (var http = host.Client())
            while ((await http.GetAsync("/readyz", timeout.Token)).StatusCode != System.Net.HttpStatusCode.OK)
                await Task.Delay(100, timeout.Token);
        var ready = await Run("bash", [Entrypoint, "health"], Repository.Root, timeout.Token, ("ASPNETCORE_HTTP_PORTS", host.BaseAddress.Port.ToString()));
        Assert.True(ready.ExitCode == 0, ready.Output);
        var nobody = await Run("bash", [Entrypoint, "health"], Repository.Root, timeout.Token, ("ASPNETCORE_HTTP_PORTS", GoChatProcess.FreePort().ToString()));
        Assert.NotEqual(0, nobody.ExitCode);

        var wrongRole = await Run("bash", [Entrypoint], Repository.Root, timeout.Token, ("GOCHAT_ROLE", "frontend"), ("GoChat__Silo__AdvertisedIP", "127.0.0.1"));
        Assert.Equal(2, wrongRole.ExitCode);
        Assert.Contains("GOCHAT_ROLE must be webfront or silo (it is 'frontend')", wrongRole.Output);
    }

    static async Task<(int ExitCode, string Output)> Run(string program, string[] args, string workingDirectory, CancellationToken ct, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in time");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }
}
