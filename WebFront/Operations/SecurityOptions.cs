using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Operations;

/// <summary>Abuse limits (GoChat:Security).</summary>
internal sealed class SecurityOptions
{
    public const string Section = "GoChat:Security";

    /// <summary>Register and sign-in requests allowed per client address per minute, in every dialect.</summary>
    public int SignInPermitsPerMinute { get; set; } = 60;
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options) => new Settings.Check(SecurityOptions.Section)
        .InRange(options.SignInPermitsPerMinute, 1, 1_000_000, nameof(options.SignInPermitsPerMinute))
        .Result;
}
