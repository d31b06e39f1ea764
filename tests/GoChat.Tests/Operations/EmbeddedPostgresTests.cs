using System.Net;
using System.Net.Http.Json;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Operations;

/// <summary>GoChat with no configuration: its own PostgreSQL under the data directory.</summary>
public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task With_no_connection_string_GoChat_runs_its_own_postgres_keeps_data_and_survives_being_killed()
    {
        var dataDir = TestDatabase.NewTempDirectory("gochat-embedded");
        var pidFile = Path.Combine(dataDir, "postgres", "data", "postmaster.pid");
        var siloPort = GoChatProcess.FreePort(); // kept across restarts, as the default port is

        using (var first = await GoChatProcess.StartAsync(dataDir, siloPort, TimeSpan.FromSeconds(60)))
        {
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { username = "embedded", password = "embedded-pw" });
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
            Assert.True(File.Exists(pidFile));

            // A crash (SIGKILL: no shutdown code runs) must not leave PostgreSQL running.
            first.Kill();
            Assert.True(await WaitUntil(() => !File.Exists(pidFile), TimeSpan.FromSeconds(30)), "PostgreSQL outlived the killed GoChat");
        }

        using (var second = await GoChatProcess.StartAsync(dataDir, siloPort, TimeSpan.FromSeconds(60)))
        {
            using var client = new HttpClient { BaseAddress = second.BaseAddress };
            var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "embedded", password = "embedded-pw" });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);

            // A graceful stop stops PostgreSQL too.
            Assert.True(second.Terminate(TimeSpan.FromSeconds(60)), "GoChat did not stop on SIGTERM");
            Assert.False(File.Exists(pidFile));
        }
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task As_root_a_data_directory_the_postgres_user_cannot_enter_stops_start_up_naming_it_and_the_fix()
    {
        if (!Environment.IsPrivilegedProcess || OperatingSystem.IsWindows()) return; // only root runs PostgreSQL as another user
        var dataDir = TestDatabase.NewTempDirectory("gochat-private");
        File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // mkdir -m 700

        var (exit, output) = await GoChatProcess.RunUntilExitAsync(new Dictionary<string, string?>(), TimeSpan.FromSeconds(60),
            $"--urls=http://127.0.0.1:{GoChatProcess.FreePort()}", $"--GoChat:DataDir={dataDir}", "--GoChat:Silo:Port=0");

        Assert.Equal(2, exit);
        Assert.Contains($"GoChat cannot start: GoChat runs as root, and PostgreSQL refuses to, so it runs its PostgreSQL as the 'postgres' user, which may not enter {dataDir} ", output);
        Assert.Contains($"chmod o+x {dataDir}", output);
        Assert.Contains("GoChat__DataDir=", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
        Assert.False(Directory.Exists(Path.Combine(dataDir, "postgres", "data")), "a cluster was half made");

        // The fix it names works.
        File.SetUnixFileMode(dataDir, File.GetUnixFileMode(dataDir) | UnixFileMode.OtherExecute);
        using (var gochat = await GoChatProcess.StartAsync(dataDir, GoChatProcess.FreePort(), TimeSpan.FromSeconds(90)))
            Assert.True(gochat.Terminate(TimeSpan.FromSeconds(60)), "GoChat did not stop on SIGTERM");
        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(200);
        }
        return condition();
    }
}
