using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Chat;

/// <summary>Settings of groups (GoChat:Groups).</summary>
public sealed class GroupOptions
{
    public const string Section = "GoChat:Groups";

    /// <summary>Most members a group may have. A group's member list is grain state, so it is bounded.</summary>
    public int MaxMembers { get; set; } = 10_000;
}

internal sealed class GroupOptionsValidator : IValidateOptions<GroupOptions>
{
    public ValidateOptionsResult Validate(string? name, GroupOptions options) => new Settings.Check(GroupOptions.Section)
        .InRange(options.MaxMembers, 2, 100_000, nameof(options.MaxMembers))
        .Result;
}
