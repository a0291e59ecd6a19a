using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PSSocketFtp.Client;

/// <summary>
/// What a download's sidecar file (<c>.&lt;name&gt;.psftp-partial.json</c>) records about its partial file: which
/// remote file it is the start of, and that file's length and time when it was read, so that a later try can ask the
/// server for the rest only while the file is unchanged.
/// </summary>
internal sealed record PartialRecord(string RemotePath, long Length, long LastWriteTime)
{
    private static readonly Regex StringField = new("\"(?<name>[A-Za-z]+)\"\\s*:\\s*\"(?<value>(?:[^\"\\\\]|\\\\.)*)\"", RegexOptions.CultureInvariant);
    private static readonly Regex NumberField = new("\"(?<name>[A-Za-z]+)\"\\s*:\\s*(?<value>-?[0-9]+)", RegexOptions.CultureInvariant);

    /// <summary>The record as a line of JSON.</summary>
    public string ToJson() =>
        "{\"RemotePath\":\"" + Escape(RemotePath) + "\",\"Length\":" + Length.ToString(CultureInfo.InvariantCulture)
        + ",\"LastWriteTime\":" + LastWriteTime.ToString(CultureInfo.InvariantCulture) + "}";

    /// <summary>Reads a sidecar; null when it is missing or not one this client wrote.</summary>
    public static PartialRecord? TryRead(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        string? remote = null;
        long? length = null, time = null;
        foreach (Match m in StringField.Matches(json))
        {
            if (m.Groups["name"].Value == nameof(RemotePath))
            {
                remote = Unescape(m.Groups["value"].Value);
            }
        }
        foreach (Match m in NumberField.Matches(json))
        {
            if (!long.TryParse(m.Groups["value"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                return null;
            }
            switch (m.Groups["name"].Value)
            {
                case nameof(Length):
                    length = value;
                    break;
                case nameof(LastWriteTime):
                    time = value;
                    break;
            }
        }
        return remote is not null && length is >= 0 && time is not null ? new PartialRecord(remote, length.Value, time.Value) : null;
    }

    /// <summary>Writes the sidecar, hidden like its partial file.</summary>
    public void Write(string path)
    {
        if (File.Exists(path))
        {
            // A hidden file cannot be overwritten in place on Windows.
            File.SetAttributes(path, FileAttributes.Normal);
        }
        File.WriteAllText(path, ToJson(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        PartialFiles.Hide(path);
    }

    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    private static string? Unescape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= value.Length)
            {
                return null;
            }
            switch (value[i])
            {
                case 'u' when i + 4 < value.Length && int.TryParse(value.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code):
                    sb.Append((char)code);
                    i += 4;
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'b':
                    sb.Append('\b');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                default:
                    sb.Append(value[i]);
                    break;
            }
        }
        return sb.ToString();
    }
}
