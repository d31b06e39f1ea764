using GoChat.Grains.Users;

namespace GoChat.Tests.Rules;

[Trait("Tier", "Fast")]
public sealed class AccountRuleTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("Émile_99")]
    [InlineData("李雷")]
    [InlineData("\U0001F469\u200D\U0001F469\u200D\U0001F467")] // joined by zero-width joiners
    [InlineData("\u0645\u0631\u062D\u0628\u0627")]
    public void Usernames_people_use_are_accepted(string name) => Assert.Null(AccountRules.CheckUsername(name));

    [Theory]
    [InlineData("", "required")]
    [InlineData("has space", "spaces or control characters")]
    [InlineData("tab\there", "spaces or control characters")]
    [InlineData("nul\0here", "spaces or control characters")]
    [InlineData("a/b", "must not contain / \\ @ : or %")]
    [InlineData("me@example", "must not contain / \\ @ : or %")]
    [InlineData("x:y", "must not contain / \\ @ : or %")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "at most 32")]
    [InlineData("abc\u202Egnp.exe", "invisible or text-direction characters")]
    [InlineData("alice\u200B", "invisible or text-direction characters")]
    [InlineData("a\uFEFFb", "invisible or text-direction characters")]
    [InlineData("\u2066bob\u2069", "invisible or text-direction characters")]
    public void Usernames_that_would_break_routes_or_lookups_are_refused(string name, string reason) =>
        Assert.Contains(reason, AccountRules.CheckUsername(name)!.Message);

    [Theory]
    [InlineData("Alice \u202Egnp.exe")]
    [InlineData("Alice\u200B")]
    public void Display_names_hide_no_characters_either(string name) =>
        Assert.Contains("invisible or text-direction characters", AccountRules.CheckDisplayName(name)!.Message);

    [Theory]
    [InlineData("12345", false)]
    [InlineData("123456", true)]
    [InlineData("pass\u0000word", false)]
    public void Passwords_are_six_to_sixty_four_characters_without_control_characters(string password, bool ok) =>
        Assert.Equal(ok, AccountRules.CheckPassword(password) is null);

    [Fact]
    public void A_password_of_sixty_five_characters_is_refused() => Assert.NotNull(AccountRules.CheckPassword(new string('p', 65)));

    [Theory]
    [InlineData("alice@example.com", true)]
    [InlineData("alice@localhost", false)]
    [InlineData("Alice <alice@example.com>", false)]
    [InlineData("not an address", false)]
    public void Email_must_be_a_plain_address_with_a_domain(string email, bool ok) => Assert.Equal(ok, AccountRules.IsEmail(email));

    [Theory]
    [InlineData("+49 30 1234-567", null)]
    [InlineData("12", "phone")]
    [InlineData("12+34", "phone")]
    [InlineData("javascript:alert(1)", "avatarUrl")]
    [InlineData("//evil.example/x.png", "avatarUrl")]
    public void Profile_fields_are_checked_by_their_shape(string value, string? field)
    {
        var update = value.Any(char.IsLetter) || value.StartsWith("//", StringComparison.Ordinal)
            ? new ProfileUpdate(AvatarUrl: value)
            : new ProfileUpdate(Phone: value);
        var error = AccountRules.Check(update);
        if (field is null) Assert.Null(error);
        else Assert.StartsWith(field, error!.Message);
    }
}
