using GoChat.WebFront;

var app = await WebFrontApp.CreateAsync(args);
await app.RunAsync();
