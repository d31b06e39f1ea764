using System.Text;
using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Accounts;

/// <summary>Session tokens (GoChat:Jwt).</summary>
internal sealed class JwtOptions
{
    public const string Section = "GoChat:Jwt";

    /// <summary>HS256 key; empty means one generated once and kept in the database, shared by every node.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a session token is valid (logout revokes it earlier).</summary>
    public int LifetimeDays { get; set; } = 30;
}

internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options) => new Settings.Check(JwtOptions.Section)
        .Require(string.IsNullOrEmpty(options.SigningKey) || Encoding.UTF8.GetByteCount(options.SigningKey) >= 32, nameof(options.SigningKey),
            "must be at least 32 bytes long (or absent, for a key generated once and kept in the database)")
        .InRange(options.LifetimeDays, 1, 3650, nameof(options.LifetimeDays))
        .Result;
}
