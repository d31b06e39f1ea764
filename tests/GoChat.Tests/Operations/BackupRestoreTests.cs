using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using GoChat.Tests.Media;

namespace GoChat.Tests.Operations;

/// <summary>deploy/backup.sh and deploy/restore.sh as an operator runs them: a round trip keeps accounts, messages and media.</summary>
public sealed class BackupRestoreTests
{
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_backup_of_a_running_GoChat_restores_into_a_new_data_directory_with_its_accounts_messages_and_media()
    {
        var source = TestDatabase.NewTempDirectory("gochat-backup-from");
        var target = TestDatabase.NewTempDirectory("gochat-backup-into");
        var archive = Path.Combine(TestDatabase.NewTempDirectory("gochat-backups"), "gochat.tar.gz");
        var png = MediaTests.TinyPng();
        long mediaId;
        string conversation;

        using (var gochat = await GoChatProcess.StartAsync(source, GoChatProcess.FreePort(), Ready))
        {
            using var http = new HttpClient { BaseAddress = gochat.BaseAddress };
            var (aliceId, alice) = await Register(http, "alice");
            var (bobId, _) = await Register(http, "bob");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", alice);
            var upload = await http.PostAsync("/api/v1/media", MediaTests.Form(png, "image/png", "dot.png"));
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
            mediaId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            conversation = $"d:{Math.Min(aliceId, bobId)}:{Math.Max(aliceId, bobId)}";
            await Send(http, conversation, "before the backup");

            // Taken while GoChat runs.
            var backup = await Script("backup.sh", ["--out", archive], ("GoChat__DataDir", source));
            Assert.True(backup.ExitCode == 0, backup.Output);
            Assert.Contains($"GoChat backed up to {archive}", backup.Output);
            await Send(http, conversation, "after the backup");

            // A restore never runs under a live GoChat.
            var refused = await Script("restore.sh", [archive], ("GoChat__DataDir", source));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("GoChat is running with", refused.Output);
            Assert.True(gochat.Terminate(TimeSpan.FromSeconds(60)));
        }

        // A new install, started once so it has its database, then stopped.
        using (var fresh = await GoChatProcess.StartAsync(target, GoChatProcess.FreePort(), Ready))
            Assert.True(fresh.Terminate(TimeSpan.FromSeconds(60)));
        var restore = await Script("restore.sh", [archive], ("GoChat__DataDir", target));
        Assert.True(restore.ExitCode == 0, restore.Output);

        using (var restored = await GoChatProcess.StartAsync(target, GoChatProcess.FreePort(), Ready))
        {
            using var http = new HttpClient { BaseAddress = restored.BaseAddress };
            var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { username = "alice", password = "alice-pw" });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
            var history = await http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{conversation}/messages");
            Assert.Equal(["before the backup"], history.EnumerateArray().Select(m => m.GetProperty("text").GetString()));
            Assert.Equal(png, await http.GetByteArrayAsync($"/api/v1/media/{mediaId}/content"));
            Assert.True(restored.Terminate(TimeSpan.FromSeconds(60)));
        }
        foreach (var dir in new[] { source, target, Path.GetDirectoryName(archive)! })
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task A_backup_restores_into_an_external_PostgreSQL_named_by_its_connection_string()
    {
        var from = await TestDatabase.CreateAsync();
        var into = await TestDatabase.CreateAsync();
        var media = TestDatabase.NewTempDirectory("gochat-backup-media");
        var archive = Path.Combine(TestDatabase.NewTempDirectory("gochat-backups"), "external.tar.gz");
        await using (var host = await GoChatHost.StartAsync(from, $"--GoChat:Media:Dir={media}"))
            await host.RegisterAsync("carol", "carol-pw");

        var backup = await Script("backup.sh", ["--out", archive], ("ConnectionStrings__GoChat", from), ("GoChat__Media__Dir", media));
        Assert.True(backup.ExitCode == 0, backup.Output);
        var restore = await Script("restore.sh", [archive], ("ConnectionStrings__GoChat", into), ("GoChat__Media__Dir", media + "-restored"));
        Assert.True(restore.ExitCode == 0, restore.Output);

        await using var restored = await GoChatHost.StartAsync(into);
        using var http = restored.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/v1/auth/login", new { username = "carol", password = "carol-pw" })).StatusCode);
    }

    static async Task<(long Id, string Token)> Register(HttpClient http, string name)
    {
        var response = await http.PostAsJsonAsync("/api/v1/auth/register", new { username = name, password = $"{name}-pw" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return (body.GetProperty("userId").GetInt64(), body.GetProperty("token").GetString()!);
    }

    static async Task Send(HttpClient http, string conversation, string text)
    {
        var sent = await http.PostAsJsonAsync($"/api/v1/conversations/{conversation}/messages", new { clientMsgId = text, kind = "text", text });
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
    }

    static async Task<(int? ExitCode, string Output)> Script(string script, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash", [Repository.PathOf($"deploy/{script}"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[] { "ConnectionStrings__GoChat", "GoChat__DataDir", "GoChat__Media__Dir" }) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (null, $"{script} did not finish within 2 minutes\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
