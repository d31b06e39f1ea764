using GoChat.Grains.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GoChat.Silo;

/// <summary>A headless silo: the same grains and cluster as WebFront, without HTTP endpoints.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            using var host = await CreateAsync(args);
            await host.RunAsync();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            // A wrong setting: say which and what it may be, without a stack trace.
            Console.Error.WriteLine(Settings.Describe(e));
            return 2;
        }
        catch (CannotStartException e)
        {
            // Something on this machine is in the way: the message says what and how to fix it.
            Console.Error.WriteLine($"GoChat cannot start: {e.Message}");
            return 2;
        }
    }

    public static async Task<IHost> CreateAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        // Quiet defaults, below every configured source so appsettings/env/args still win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Orleans"] = "Warning",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
                // Beside a WebFront on the same machine (which takes 11111) with no configuration.
                ["GoChat:Silo:Port"] = "11112",
            },
        });
        await builder.AddGoChatSiloAsync();
        return builder.Build();
    }
}
