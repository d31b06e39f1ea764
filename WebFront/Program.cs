using GoChat.Silo;
using GoChat.WebFront;

return await StartupFailures.RunAsync(async () =>
{
    var app = await WebFrontApp.CreateAsync(args);
    await app.RunAsync();
});
