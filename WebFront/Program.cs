using GoChat.Grains.Configuration;
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
