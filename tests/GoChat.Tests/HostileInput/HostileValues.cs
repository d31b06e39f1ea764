namespace GoChat.Tests.HostileInput;

/// <summary>
/// A value to put where a client's input goes. <see cref="Text"/> is what a JSON body, a hub
/// argument or a socket frame carries, <see cref="Url"/> the same percent-encoded for a query
/// string or a form; null where the value has no such form (a lone surrogate is not UTF-8, so a
/// URL cannot carry it; invalid UTF-8 is not text). <see cref="Legal"/>: a value GoChat may accept
/// in free text (it is then stored), as opposed to one it must refuse wherever it goes.
/// </summary>
public sealed record HostileString(string Label, string? Text, string? Url, bool Legal)
{
    public HostileString(string label, string text, bool legal) : this(label, text, Uri.EscapeDataString(text), legal) { }

    /// <summary>
    /// The value as a JSON string literal, every character past ASCII as its \u escape: a serializer
    /// would write a lone surrogate as U+FFFD, which is fine text, and so not the test.
    /// </summary>
    public string Json => Escaped(Text!);

    public static string Escaped(string text)
    {
        var json = new System.Text.StringBuilder("\"", text.Length + 2);
        foreach (var c in text)
            json.Append(c is >= ' ' and <= '~' and not ('"' or '\\') ? c.ToString() : $"\\u{(int)c:x4}");
        return json.Append('"').ToString();
    }

    public override string ToString() => Label;
}

/// <summary>The corpus's values: numbers no id can be, text no field may hold, and text that is odd but may be fine.</summary>
public static class HostileValues
{
    /// <summary>Three megabytes: past every length limit, within the request size limits.</summary>
    public static readonly string MultiMegabyte = new('a', 3 * 1024 * 1024);

    /// <summary>Integers as a client might send them in a URL, a form or a JSON number: out of range, not whole, not numbers.</summary>
    public static readonly string[] Numbers =
    [
        "9223372036854775808", "-9223372036854775809", "1e400", "-1", "0", "9223372036854775807", "1.5", "NaN", "0x10", "１２",
    ];

    /// <summary>The same as JSON literals (a number too large for any integer type, an exponent, ...).</summary>
    public static readonly string[] JsonNumbers =
    [
        "9223372036854775808", "-9223372036854775809", "1e400", "-1", "0", "9223372036854775807", "1.5", "-0.0", "1E2", "\"NaN\"",
    ];

    /// <summary>Text no field may hold: control characters (NUL first), lone surrogates, invalid UTF-8, megabytes.</summary>
    public static readonly HostileString[] Refused =
    [
        new("NUL", "a\0b", legal: false),
        new("bell", "a\u0007b", legal: false),
        new("escape", "a\u001B[2Jb", legal: false),
        new("C1 control", "a\u0085b", legal: false),
        new("lone high surrogate", "a\ud800b", null, Legal: false),
        new("lone low surrogate", "a\udc00b", null, Legal: false),
        new("3 MB", MultiMegabyte, MultiMegabyte, Legal: false),
    ];

    /// <summary>Text that is odd but may be fine: what a name or a message may hold, and what searches and file names must take literally.</summary>
    public static readonly HostileString[] Unusual =
    [
        new("bidi override", "abc\u202Egnp.exe\u202C", legal: true),
        new("4-byte emoji", "\U0001F600\U0001F469\u200D\U0001F469\u200D\U0001F467", legal: true),
        new("combining marks", "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308", legal: true),
        new("zero-width and BOM", "a\u200B\u200D\uFEFFb", legal: true),
        new("right-to-left", "\u0645\u0631\u062D\u0628\u0627", legal: true),
        new("LIKE wildcards", "%_%", legal: true),
        new("LIKE escape", "a\\%b\\_c\\\\", legal: true),
        new("quotes", "a'b\"c`d", legal: true),
        new("SQL", "x'); DROP TABLE users; --", legal: true),
        new("path traversal", "../../../../etc/passwd", legal: true),
        new("windows traversal", "..\\..\\..\\windows\\win.ini", legal: true),
        new("markup", "<script>alert(1)</script>", legal: true),
        // Bytes that are not UTF-8 in a query string or a form are read as U+FFFD, as browsers read them.
        new("invalid UTF-8", null, "a%FF%FEb", Legal: true),
        new("a surrogate in UTF-8", null, "a%ED%A0%80b", Legal: true),
        new("empty", "", legal: true),
        new("spaces", "   ", legal: true),
    ];

    public static IEnumerable<HostileString> AllStrings => Refused.Concat(Unusual);

    /// <summary>Request bodies that are not JSON, or JSON no route takes.</summary>
    public static readonly (string Label, byte[] Bytes)[] BrokenJson =
    [
        ("cut short", "{\"name\":"u8.ToArray()),
        ("single quotes", "{'name':'x'}"u8.ToArray()),
        ("trailing comma", "{\"name\":\"x\",}"u8.ToArray()),
        ("two documents", "{\"name\":\"x\"}{\"name\":\"y\"}"u8.ToArray()),
        ("bad escape", "{\"name\":\"\\uZZZZ\"}"u8.ToArray()),
        ("raw NUL", "{\"name\":\"a\0b\"}"u8.ToArray()),
        ("invalid UTF-8", [.. "{\"name\":\""u8, 0xFF, 0xFE, .. "\"}"u8]),
        ("NaN literal", "{\"name\":NaN}"u8.ToArray()),
        ("comment", "/* hi */ {\"name\":\"x\"}"u8.ToArray()),
        ("empty", []),
        ("whitespace", "   "u8.ToArray()),
        ("null", "null"u8.ToArray()),
        ("array", "[]"u8.ToArray()),
        ("string", "\"x\""u8.ToArray()),
        ("number", "1e400"u8.ToArray()),
        ("deeply nested arrays", System.Text.Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000))),
        ("deeply nested objects", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000))),
    ];

    /// <summary>JSON values of the wrong type for a field of <paramref name="kind"/>.</summary>
    public static IEnumerable<(string Label, string Json)> WrongTypes(ValueKind kind)
    {
        (string, string)[] common = [("object", "{}"), ("nested object", "{\"a\":{\"b\":[1,2,{}]}}"), ("true", "true"), ("deep", new string('[', 200) + new string(']', 200))];
        return kind switch
        {
            ValueKind.Integer => [.. common, ("string", "\"abc\""), ("array", "[1]"), .. JsonNumbers.Select(n => ($"number {n}", n))],
            ValueKind.IntegerList =>
            [
                .. common, ("string", "\"all\""), ("number", "1"), ("list of strings", "[\"x\"]"), ("list with null", "[null]"),
                ("list with a fraction", "[1.5]"), ("list with overflow", "[9223372036854775808]"), ("list with -1", "[-1]"),
                ("list of lists", "[[1]]"), ("100,000 ids", "[" + string.Join(",", Enumerable.Range(1, 100_000)) + "]"),
            ],
            _ => [.. common, ("number", "1"), ("array", "[\"x\"]"), ("huge number", "1e400")],
        };
    }

    /// <summary>Upload file names: kept as metadata only (the last path segment, cleaned), never a path on the server.</summary>
    public static readonly string[] FileNames =
    [
        "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/etc/passwd", "C:\\boot.ini", "a/../../b.png", "..", ".", "%2e%2e%2f%2e%2e%2fx",
        "\u202Egnp.exe", "a\u0000b.png", new string('x', 5000) + ".png", "\U0001F600.png", "con", "aux.png", "a:b.png", "\\\\server\\share\\x.png",
    ];
}
