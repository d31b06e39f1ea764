using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Silo;

/// <summary>How both programs (WebFront and the headless silo) end when start-up cannot go on.</summary>
public static class StartupFailures
{
    /// <summary>
    /// Runs the host; a wrong setting or something on this machine in the way ends it with exit code
    /// 2 and one line saying what and how to fix it, without a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine(Settings.Describe(e));
            return 2;
        }
        catch (CannotStartException e)
        {
            Console.Error.WriteLine($"GoChat cannot start: {e.Message}");
            return 2;
        }
    }
}
