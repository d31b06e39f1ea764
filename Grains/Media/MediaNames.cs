using System.Globalization;
using System.Text;

namespace GoChat.Grains.Media;

/// <summary>
/// The file name a client gave an upload, made safe to keep and show: metadata only, it never
/// becomes a path (files are named by their hash).
/// </summary>
internal static class MediaNames
{
    public const int MaxLength = 255;
    const int MaxKeptExtensionLength = 16;

    /// <summary>The last path segment without control or invisible formatting characters, at most <see cref="MaxLength"/> characters; "" when nothing is left.</summary>
    public static string Clean(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "";
        // Some clients send a full local path ("C:\Users\me\photo.png"): keep only the name.
        var lastSegment = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var kept = new StringBuilder(lastSegment.Length);
        foreach (var rune in lastSegment.EnumerateRunes())
        {
            // Format characters include the bidi overrides that make "gpj.exe" display as "exe.jpg";
            // the emoji joiners are the exception worth keeping.
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                || category is UnicodeCategory.Format && rune.Value is not (0x200C or 0x200D)) continue;
            kept.Append(rune.ToString());
        }
        var clean = kept.ToString().Trim();
        return clean is "." or ".." ? "" : Shorten(clean);
    }

    /// <summary>Cuts a long name in its stem, so "very long ... .pdf" still ends in ".pdf".</summary>
    static string Shorten(string name)
    {
        if (name.Length <= MaxLength) return name;
        var extension = Path.GetExtension(name);
        if (extension.Length > MaxKeptExtensionLength) extension = "";
        var keep = MaxLength - extension.Length;
        if (char.IsHighSurrogate(name[keep - 1])) keep--;
        return name[..keep].TrimEnd() + extension;
    }
}
