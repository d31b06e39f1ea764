using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Users;

/// <summary>Who administers the server (GoChat:Admins).</summary>
public sealed class AdministratorsOptions
{
    public const string Section = "GoChat";
    public const string Key = "GoChat:Admins";
    public const int MaxNames = 100;

    /// <summary>
    /// Usernames made administrators at every start (GoChat:Admins:0, :1, ..., or one comma-separated
    /// GoChat:Admins). None: the first account registered on an empty server becomes the administrator.
    /// </summary>
    public List<string> Admins { get; set; } = [];

    /// <summary>Adds the names of a comma-separated GoChat:Admins, which the binder leaves out (it binds lists from :0, :1, ...).</summary>
    public void AddListed(string? commaSeparated)
    {
        foreach (var name in (commaSeparated ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Admins.Contains(name, StringComparer.OrdinalIgnoreCase)) Admins.Add(name);
    }
}

internal sealed class AdministratorsOptionsValidator : IValidateOptions<AdministratorsOptions>
{
    public ValidateOptionsResult Validate(string? name, AdministratorsOptions options)
    {
        var check = new Settings.Check(AdministratorsOptions.Section)
            .Require(options.Admins.Count <= AdministratorsOptions.MaxNames, AdministratorsOptions.Key,
                $"may name at most {AdministratorsOptions.MaxNames} accounts (it names {options.Admins.Count})");
        foreach (var admin in options.Admins)
            check.Require(AccountRules.CheckUsername(admin) is null, AdministratorsOptions.Key,
                $"must be usernames (1-{AccountRules.MaxUsernameLength} characters, no spaces or / \\ @ : %); '{admin}' is not one");
        return check.Result;
    }
}
