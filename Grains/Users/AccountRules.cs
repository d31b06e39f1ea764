using System.Globalization;
using System.Net.Mail;
using System.Text;

namespace GoChat.Grains.Users;

/// <summary>The limits every dialect applies to account fields. Adapters may add their own, stricter ones.</summary>
public static class AccountRules
{
    public const int MaxUsernameLength = 32;
    public const int MinPasswordLength = 6;
    public const int MaxPasswordLength = 64;
    public const int MaxDisplayNameLength = 64;
    public const int MaxSignatureLength = 280;
    public const int MaxAvatarUrlLength = 1024;
    public const int MaxPhoneLength = 32;
    public const int MaxEmailLength = 254;

    /// <summary>
    /// Why a session whose password an administrator reset is refused: by douyin and ginchat (which
    /// cannot ask for a new password) at sign-in and on every route, natively on every route but the
    /// change itself (POST /api/v1/users/me/password), reading the profile and logging out.
    /// </summary>
    public const string PasswordResetPending =
        "an administrator reset this account's password: choose a new one first (sign in on the web client, or POST /api/v1/users/me/password)";

    public static DomainError? CheckUsername(string? username)
    {
        if (string.IsNullOrEmpty(username)) return DomainError.Invalid("username is required");
        if (username.Length > MaxUsernameLength) return DomainError.Invalid($"username must be at most {MaxUsernameLength} characters");
        if (username.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            return DomainError.Invalid("username must not contain spaces or control characters");
        if (username.Any(c => c is '/' or '\\' or '@' or ':' or '%'))
            return DomainError.Invalid("username must not contain / \\ @ : or %");
        if (HasHiddenCharacters(username)) return DomainError.Invalid($"username {HiddenCharacters}");
        return null;
    }

    const string HiddenCharacters = "must not contain invisible or text-direction characters";

    /// <summary>
    /// Format characters other than the joiners emoji and some scripts need: a bidi override makes
    /// "gnp.exe" read "exe.png", and a zero-width space makes a second "alice" look like the first.
    /// </summary>
    static bool HasHiddenCharacters(string value) =>
        value.EnumerateRunes().Any(r => Rune.GetUnicodeCategory(r) == UnicodeCategory.Format && r.Value is not (0x200C or 0x200D));

    public static DomainError? CheckPassword(string? password, string field = "password")
    {
        if (string.IsNullOrEmpty(password)) return DomainError.Invalid($"{field} is required");
        if (password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
            return DomainError.Invalid($"{field} must be {MinPasswordLength}-{MaxPasswordLength} characters");
        if (password.Any(char.IsControl)) return DomainError.Invalid($"{field} must not contain control characters");
        return null;
    }

    public static DomainError? CheckDisplayName(string? displayName) =>
        displayName is null ? null
        : displayName.Trim().Length == 0 ? DomainError.Invalid("displayName must not be blank")
        : displayName.Length > MaxDisplayNameLength ? DomainError.Invalid($"displayName must be at most {MaxDisplayNameLength} characters")
        : displayName.Any(char.IsControl) ? DomainError.Invalid("displayName must not contain control characters")
        : HasHiddenCharacters(displayName) ? DomainError.Invalid($"displayName {HiddenCharacters}")
        : null;

    public static DomainError? Check(ProfileUpdate update)
    {
        if (update.Username is not null && CheckUsername(update.Username) is { } nameError) return nameError;
        if (CheckDisplayName(update.DisplayName) is { } displayError) return displayError;
        if (update.Password is not null && CheckPassword(update.Password) is { } passwordError) return passwordError;
        if ((FreeText.CheckText("signature", update.Signature) ?? FreeText.CheckLine("avatarUrl", update.AvatarUrl)
             ?? FreeText.CheckLine("phone", update.Phone) ?? FreeText.CheckLine("email", update.Email)) is { } textError)
            return textError;
        if (update.Signature is { Length: > MaxSignatureLength })
            return DomainError.Invalid($"signature must be at most {MaxSignatureLength} characters");
        if (update.AvatarUrl is { } avatar && avatar.Length > 0 && !IsAvatarUrl(avatar))
            return DomainError.Invalid("avatarUrl must be an http(s) URL or a path on this server, at most 1024 characters");
        if (update.Phone is { } phone && phone.Length > 0 && !IsPhone(phone))
            return DomainError.Invalid("phone must be digits (optionally starting with +, with spaces or dashes), at most 32 characters");
        if (update.Email is { } email && email.Length > 0 && !IsEmail(email))
            return DomainError.Invalid("email must be an e-mail address");
        return null;
    }

    public static bool IsEmail(string email) =>
        email.Length <= MaxEmailLength
        && MailAddress.TryCreate(email, out var parsed)
        && parsed.Address == email
        && parsed.Host.Contains('.');

    static bool IsPhone(string phone) =>
        phone.Length <= MaxPhoneLength
        && phone.Count(char.IsAsciiDigit) >= 3
        && phone.Select((c, i) => char.IsAsciiDigit(c) || c is ' ' or '-' || (c == '+' && i == 0)).All(ok => ok);

    static bool IsAvatarUrl(string url) =>
        url.Length <= MaxAvatarUrlLength
        && (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)
            || Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");
}
