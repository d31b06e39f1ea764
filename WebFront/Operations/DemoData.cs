using GoChat.Grains.Chat;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Videos;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Operations;

/// <summary>
/// With GoChat:DemoData=true, the first start seeds a living chat: four users with a known
/// password (printed in the log), friendships, a group and some history. Later starts see the
/// users exist and leave everything as it is.
/// </summary>
internal sealed class DemoData(IOptions<WebFrontOptions> options, AccountService accounts, UserDirectory directory, IGrainFactory grains,
    GroupStore groups, VideoPublisher videos, ILogger<DemoData> logger) : IHostedService
{
    public const string Password = "gochat-demo";
    static readonly string[] Names = ["alice", "bob", "carol", "dave"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.DemoData) return;
        if (await directory.FindIdByName(Names[0]) is not null)
        {
            OperationsLog.DemoDataPresent(logger, string.Join(", ", Names), Password);
            return;
        }

        var ids = new Dictionary<string, long>();
        foreach (var name in Names)
        {
            var registered = await accounts.CreateAccount(name, Password, char.ToUpperInvariant(name[0]) + name[1..]);
            if (registered.Value is not { } user)
            {
                OperationsLog.DemoDataSkipped(logger, name, registered.Error!.Message);
                return;
            }
            ids[name] = user.Id;
        }
        foreach (var (a, b) in new[] { ("alice", "bob"), ("alice", "carol"), ("bob", "carol"), ("carol", "dave") })
            await grains.GetGrain<IUserGrain>(ids[a]).AddContact(ids[b]);

        await Say("alice", ConversationIds.Direct(ids["alice"], ids["bob"]), "Hi Bob! Welcome to GoChat.");
        await Say("bob", ConversationIds.Direct(ids["alice"], ids["bob"]), "Hi Alice, this is fast.");
        await Say("alice", ConversationIds.Direct(ids["alice"], ids["bob"]), "Messages are durable before they are acknowledged.");
        await Say("carol", ConversationIds.Direct(ids["carol"], ids["dave"]), "Dave, have you tried the group yet?");

        var groupId = await groups.NextId();
        var group = await grains.GetGrain<IGroupGrain>(groupId).Create(ids["alice"],
            new NewGroup("GoChat demo", "Say hello to everyone", null, [ids["bob"], ids["carol"], ids["dave"]]));
        if (group.Value is not null)
        {
            var conversation = ConversationIds.Group(groupId);
            await Say("alice", conversation, "Welcome to the demo group, everyone.");
            await Say("dave", conversation, "Hello from Dave!");
            await Say("carol", conversation, "Try opening this chat in two browsers.");
        }
        await PublishDemoVideo(ids["alice"], cancellationToken);
        OperationsLog.DemoDataCreated(logger, string.Join(", ", Names), Password);

        async Task Say(string who, string conversation, string text) =>
            await grains.GetGrain<IConversationGrain>(conversation)
                .Send(ids[who], new SendMessage(Guid.NewGuid().ToString("N"), "text", text, null, null));
    }

    /// <summary>A short test-pattern clip made with ffmpeg (no binary is shipped), so the feed is never empty.</summary>
    async Task PublishDemoVideo(long authorId, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gochat-demo-{Guid.NewGuid():N}.mp4");
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                         "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-pix_fmt", "yuv420p", "-shortest", "-movflags", "+faststart", path })
                start.ArgumentList.Add(arg);
            using (var ffmpeg = System.Diagnostics.Process.Start(start)!)
            {
                var errors = await ffmpeg.StandardError.ReadToEndAsync(ct);
                await ffmpeg.WaitForExitAsync(ct);
                if (ffmpeg.ExitCode != 0) throw new InvalidOperationException(errors);
            }
            await using var file = File.OpenRead(path);
            var published = await videos.Publish(authorId, file, "demo.mp4", "Welcome to GoChat", ct);
            if (published.Error is { } error) OperationsLog.DemoVideoSkipped(logger, error.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            OperationsLog.DemoVideoSkipped(logger, $"is ffmpeg installed? {e.Message}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
