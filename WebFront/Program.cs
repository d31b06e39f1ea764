using GoChat.Grains.Configuration;
using GoChat.Silo;
using GoChat.WebFront;
using Microsoft.Extensions.Options;

try
{
    var app = await WebFrontApp.CreateAsync(args);
    await app.RunAsync();
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
