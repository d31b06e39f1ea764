using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GoChat.Tests.Browser;

/// <summary>
/// One person's GoChat tab, driven only through what a person (or a screen reader) sees: the
/// accessible names fixed by the web client issue and listed in docs/web-client.md.
/// </summary>
public sealed class ChatPage(IPage page, string who)
{
    public IPage Page { get; } = page;
    public string Who { get; } = who;

    public ILocator Conversations => Page.GetByRole(AriaRole.List, new() { Name = "Conversations", Exact = true });
    public ILocator Messages => Page.GetByRole(AriaRole.Log, new() { Name = "Messages", Exact = true });
    public ILocator Composer => Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
    public ILocator SendButton => Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true });
    public ILocator SearchUsers => Page.GetByRole(AriaRole.Textbox, new() { Name = "Search users", Exact = true });

    public async Task RegisterAsync(string username, string password)
    {
        await Page.GotoAsync("/toRegister");
        await Page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Page.GetByLabel("Confirm password", new() { Exact = true }).FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create account", Exact = true }).ClickAsync();
        await ExpectChatPageAsync();
    }

    public async Task LogInAsync(string username, string password = "secret-pw")
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        await ExpectChatPageAsync();
    }

    public async Task ExpectChatPageAsync()
    {
        await Expect(Page).ToHaveURLAsync(new Regex("/toChat"));
        await Expect(SearchUsers).ToBeVisibleAsync();
    }

    /// <summary>The conversation list item titled <paramref name="title"/> (display name or group name).</summary>
    public ILocator Conversation(string title) =>
        Conversations.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title }).First;

    public async Task OpenConversationAsync(string title)
    {
        await Conversation(title).ClickAsync();
        await Expect(Messages).ToBeVisibleAsync();
        await Expect(Composer).ToBeVisibleAsync();
    }

    /// <summary>Finds a user by name in "Search users" and opens the direct chat with them.</summary>
    public async Task StartDirectChatAsync(string username, string displayName)
    {
        await SearchUsers.FillAsync(username);
        var result = Page.GetByRole(AriaRole.List, new() { Name = "Search results", Exact = true })
            .GetByRole(AriaRole.Button, new() { Name = $"Chat with {displayName}", Exact = true });
        await result.ClickAsync();
        await Expect(Messages).ToBeVisibleAsync();
        await Expect(Composer).ToBeVisibleAsync();
    }

    /// <summary>
    /// Types into the composer, presses Enter (which sends; Shift+Enter would add a line) and waits
    /// until the message is acknowledged: its "Sending…" turns into the tick (or "Seen"), which the
    /// page shows only once the server has stored it.
    /// </summary>
    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
        await Expect(Composer).ToHaveValueAsync("");
        await ExpectMessageAsync(text);
        var own = Messages.Locator(".msg.mine").Filter(new() { Has = Page.GetByText(text, new() { Exact = true }) }).Last;
        await Expect(own.Locator(".meta .state")).ToHaveTextAsync(new Regex("✓|Seen"));
    }

    /// <summary>A message bubble in the open conversation that shows exactly <paramref name="text"/>.</summary>
    public ILocator Message(string text) => Messages.GetByText(text, new() { Exact = true });

    public Task ExpectMessageAsync(string text) => Expect(Message(text)).ToBeVisibleAsync();
}
