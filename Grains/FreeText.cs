namespace GoChat.Grains;

/// <summary>
/// What text a person sends may hold, in every dialect. Control characters are refused: PostgreSQL
/// cannot store U+0000 at all, and the others are invisible in a name or a message. Multi-line
/// text (messages, signatures, descriptions, comments, titles) may hold tabs and line breaks;
/// one-line values (names, ids, addresses, URLs) may not. A lone UTF-16 surrogate is not text
/// and is refused in both.
/// </summary>
public static class FreeText
{
    /// <summary>Multi-line text: null when acceptable (or absent), else why not.</summary>
    public static DomainError? CheckText(string field, string? value) =>
        Flaw(value, allowBreaks: true) is { } flaw ? DomainError.Invalid($"{field} {flaw}") : null;

    /// <summary>A one-line value: null when acceptable (or absent), else why not.</summary>
    public static DomainError? CheckLine(string field, string? value) =>
        Flaw(value, allowBreaks: false) is { } flaw ? DomainError.Invalid($"{field} {flaw}") : null;

    /// <summary>
    /// True when a one-line value holds anything <see cref="CheckLine"/> refuses. Lookups by name
    /// use it: no stored name holds such a character, so the lookup matches nothing and need not
    /// reach the database.
    /// </summary>
    public static bool IsRefusedLine(string? value) => Flaw(value, allowBreaks: false) is not null;

    /// <summary>
    /// A client's value as an error message may quote it: the first 40 characters. Input is not
    /// echoed whole, or a refusal of three megabytes would answer with them.
    /// </summary>
    public static string Quote(string? value) => value is { Length: > MaxQuoted } ? $"'{value[..MaxQuoted]}...'" : $"'{value}'";

    const int MaxQuoted = 40;

    static string? Flaw(string? value, bool allowBreaks)
    {
        if (value is null) return null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(allowBreaks && c is '\t' or '\n' or '\r'))
                return allowBreaks ? "must not contain control characters other than tabs and line breaks" : "must not contain control characters";
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(c)) return "is not valid Unicode text";
        }
        return null;
    }
}
