using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Chat;

/// <summary>Settings of messages (GoChat:Messages).</summary>
public sealed class MessageOptions
{
    public const string Section = "GoChat:Messages";

    /// <summary>How long after sending the sender may edit a message.</summary>
    public TimeSpan EditWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long after sending the sender may recall a message.</summary>
    public TimeSpan RecallWindow { get; set; } = TimeSpan.FromDays(1);
}

internal sealed class MessageOptionsValidator : IValidateOptions<MessageOptions>
{
    static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    public ValidateOptionsResult Validate(string? name, MessageOptions options) => new Settings.Check(MessageOptions.Section)
        .InRange(options.EditWindow, TimeSpan.Zero, Longest, nameof(options.EditWindow))
        .InRange(options.RecallWindow, TimeSpan.Zero, Longest, nameof(options.RecallWindow))
        .Result;
}
