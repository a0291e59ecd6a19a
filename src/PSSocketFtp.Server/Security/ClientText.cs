using System.Buffers;
using System.Globalization;
using System.Text;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// A string a client chose (a path, a name, a user name, an upload id, a message that quotes one) as the log and ERROR
/// frames show it: control characters, format characters (bidirectional overrides and the like) and line or paragraph
/// separators become C-style escapes (<c>\n</c>, <c>\x1b</c>, <c>\u2028</c>), so that no client can end a log line and
/// forge the next one, or send an operator's terminal escape sequences. Printable text of any script is kept as it is;
/// a backslash too, so that the paths of the jail's messages read as they were sent. Log it as the value
/// (<c>ClientText.Of(x)</c>): it is escaped only when a message is written.
/// </summary>
internal readonly struct ClientText
{
    // A whole path that can be valid, and no more: a 64 KiB request must not make a 64 KiB log line.
    private const int MaxChars = ProtocolConstants.MaxPathBytes;

    private readonly string? _text;
    private readonly bool _isPath;

    private ClientText(string? text, bool isPath)
    {
        _text = text;
        _isPath = isPath;
    }

    /// <summary>Any string a client chose.</summary>
    public static ClientText Of(string? text) => new(text, isPath: false);

    /// <summary>A remote path as users see it (<c>/a/b</c>, the root as <c>/</c>); one the jail refuses, as it was sent.</summary>
    public static ClientText OfPath(string? path) => new(path, isPath: true);

    /// <inheritdoc />
    public override string ToString() => Escape(_isPath ? Display(_text) : _text);

    /// <summary>The escaped form of <paramref name="text"/>, cut at <see cref="ProtocolConstants.MaxPathBytes"/> characters.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        if (text.Length <= MaxChars && !text.Any(c => char.IsSurrogate(c) || IsHidden(CharUnicodeInfo.GetUnicodeCategory(c))))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16);
        var rest = text.AsSpan(0, Math.Min(text.Length, MaxChars));
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out int used) != OperationStatus.Done)
            {
                // A lone surrogate: no character at all, shown as its code unit.
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)rest[0]:x4}");
                rest = rest.Slice(1);
                continue;
            }
            if (!IsHidden(Rune.GetUnicodeCategory(rune)))
            {
                builder.Append(rest.Slice(0, used));
            }
            else
            {
                builder.Append(rune.Value switch
                {
                    0 => "\\0",
                    '\t' => "\\t",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    < 0x80 => string.Create(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}"),
                    <= 0xFFFF => string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}"),
                });
            }
            rest = rest.Slice(used);
        }
        return text.Length > MaxChars ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>What a terminal or log viewer acts on instead of showing: C0 and C1 controls, DEL, format characters, line and paragraph separators.</summary>
    private static bool IsHidden(UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string? Display(string? path)
    {
        try
        {
            return RemotePath.ToDisplay(RemotePath.Normalize(path));
        }
        catch (FtpException)
        {
            return path;
        }
    }
}
