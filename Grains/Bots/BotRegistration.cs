using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Bots;

/// <summary>
/// At start-up, before the silo takes calls: makes each configured bot's user (or updates it),
/// disables bots no longer configured, and loads each bot's model into <see cref="BotDirectory"/>.
/// A bot that cannot start (its name is a person's, its model file is broken) is logged and left
/// out or marked unavailable; GoChat starts anyway.
/// </summary>
internal sealed class BotRegistration(IOptions<BotOptions> options, BotStore store, BotDirectory directory, ILogger<BotRegistration> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bots = new List<Bot>();
        foreach (var (name, settings) in options.Value.Bots)
        {
            try
            {
                var displayName = settings.DisplayNameOr(name);
                var model = settings.Provider == BotSettings.OpenAi ? settings.Model ?? "" : Path.GetFileName(settings.ModelPath ?? "");
                if (await store.Register(name, displayName, settings.Provider, model) is not { } userId)
                {
                    BotLog.NameTaken(logger, name);
                    continue;
                }
                var started = Stopwatch.StartNew();
                var (client, unavailable, reason) = await Task.Run(() => BotModels.Create(name, settings, logger), cancellationToken);
                if (reason is not null) BotLog.ModelUnavailable(logger, name, reason);
                else if (settings.Provider == BotSettings.LlamaSharp) BotLog.ModelLoaded(logger, name, started.Elapsed);
                bots.Add(new Bot(userId, name, displayName, settings, client, unavailable));
                BotLog.Registered(logger, name, userId, settings.Provider, model);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                BotLog.RegistrationFailed(logger, e, name);
            }
        }
        var disabled = await store.DisableAllBut(bots.Select(b => b.UserId).ToList());
        if (disabled.Count > 0) BotLog.Disabled(logger, disabled.Count);
        directory.Publish(bots);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
