using System.Text;

namespace GoChat.Grains.Bots;

/// <summary>
/// Removes a reasoning model's thinking ("&lt;think&gt;...&lt;/think&gt;", as Ollama and llama-server
/// stream it inside the content) from streamed text, whatever the chunk boundaries: text that might
/// be the start of a tag is held back until the next chunk shows what it is.
/// </summary>
internal sealed class ThinkingFilter
{
    const string Open = "<think>";
    const string Close = "</think>";

    readonly StringBuilder _pending = new();
    bool _thinking;

    /// <summary>The visible part of what has arrived so far that can be shown now.</summary>
    public string Push(string chunk)
    {
        _pending.Append(chunk);
        var visible = new StringBuilder();
        while (_pending.Length > 0)
        {
            var text = _pending.ToString();
            var tag = _thinking ? Close : Open;
            var at = text.IndexOf(tag, StringComparison.Ordinal);
            if (at >= 0)
            {
                if (!_thinking) visible.Append(text, 0, at);
                _pending.Remove(0, at + tag.Length);
                _thinking = !_thinking;
                continue;
            }
            var keep = PartialTagAtEnd(text, tag);
            if (!_thinking) visible.Append(text, 0, text.Length - keep);
            _pending.Remove(0, text.Length - keep);
            break;
        }
        return visible.ToString();
    }

    /// <summary>What is left at the end of the stream (a held-back "&lt;thi" that never became a tag is text).</summary>
    public string Flush()
    {
        var rest = _thinking ? "" : _pending.ToString();
        _pending.Clear();
        return rest;
    }

    static int PartialTagAtEnd(string text, string tag)
    {
        for (var length = Math.Min(tag.Length - 1, text.Length); length > 0; length--)
            if (string.CompareOrdinal(text, text.Length - length, tag, 0, length) == 0) return length;
        return 0;
    }
}
