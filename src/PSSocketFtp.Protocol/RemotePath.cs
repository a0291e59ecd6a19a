using System.Text;

namespace PSSocketFtp.Protocol;

/// <summary>
/// Remote paths: relative to the server's root, '/'-separated ('\' is read as '/'), a leading '/' meaning the root.
/// Normalizing refuses anything that could leave the root or that a Windows or Unix file system would read
/// differently; it never silently clamps.
/// </summary>
public static class RemotePath
{
    /// <summary>The name of the server's internal folder at the root; no request may name it.</summary>
    public const string ReservedRootName = ".psftp";

    private static readonly char[] Separators = ['/', '\\'];
    private static readonly char[] Forbidden = ['<', '>', ':', '"', '|', '?', '*'];
    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>
    /// Turns what a user typed into the canonical form: segments joined by '/', no leading or trailing '/',
    /// the root as the empty string. Empty segments and "." are dropped.
    /// </summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.InvalidPath"/>: the path is hostile or too long.</exception>
    public static string Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return string.Empty;
        }
        var segments = new List<string>();
        foreach (var segment in path!.Split(Separators))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            CheckName(segment, path);
            segments.Add(segment);
        }
        if (segments.Count > ProtocolConstants.MaxPathDepth)
        {
            throw Invalid(path, $"it is deeper than {ProtocolConstants.MaxPathDepth} folders");
        }
        if (segments.Count > 0 && string.Equals(segments[0], ReservedRootName, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(path, $"'{ReservedRootName}' is reserved for the server");
        }
        string normalized = string.Join("/", segments);
        if (Encoding.UTF8.GetByteCount(normalized) > ProtocolConstants.MaxPathBytes)
        {
            throw Invalid(path, $"it is longer than {ProtocolConstants.MaxPathBytes} UTF-8 bytes");
        }
        return normalized;
    }

    /// <summary>Checks one name (a single path segment) against the rules of <see cref="Normalize"/>.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.InvalidPath"/>: the name is not allowed.</exception>
    public static void CheckName(string name, string? inPath = null)
    {
        inPath ??= name;
        if (name.Length == 0)
        {
            throw Invalid(inPath, "a name is empty");
        }
        if (name == "..")
        {
            throw Invalid(inPath, "'..' would leave the folder");
        }
        if (name.IndexOfAny(Separators) >= 0)
        {
            throw Invalid(inPath, $"the name '{name}' contains a path separator");
        }
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c < 0x20 || c == 0x7F)
            {
                throw Invalid(inPath, "it contains a control character");
            }
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // A lone surrogate has no UTF-8 form, and Unicode normalization below would throw ArgumentException on it.
                throw Invalid(inPath, "it contains a lone UTF-16 surrogate, which is not text");
            }
        }
        if (name.IndexOfAny(Forbidden) >= 0)
        {
            throw Invalid(inPath, $"the name '{name}' contains one of {new string(Forbidden)} (drive letters and wildcards are not names)");
        }
        if (name.EndsWith(".", StringComparison.Ordinal) || name.EndsWith(" ", StringComparison.Ordinal))
        {
            throw Invalid(inPath, $"the name '{name}' ends with a dot or a space, which Windows would drop");
        }
        // Fullwidth dots and slashes become '.' and '/' under compatibility normalization: refuse what a file system might fold into '..'.
        string folded = name.Normalize(NormalizationForm.FormKC);
        if (folded == "." || folded == ".." || folded.IndexOfAny(Separators) >= 0)
        {
            throw Invalid(inPath, $"the name '{name}' reads as a separator or '..' once Unicode-normalized");
        }
        if (Encoding.UTF8.GetByteCount(name) > ProtocolConstants.MaxNameBytes)
        {
            throw Invalid(inPath, $"a name is longer than {ProtocolConstants.MaxNameBytes} UTF-8 bytes");
        }
        int dot = name.IndexOf('.');
        if (WindowsDeviceNames.Contains(dot < 0 ? name : name.Substring(0, dot)))
        {
            throw Invalid(inPath, $"'{name}' is a reserved device name on Windows");
        }
    }

    /// <summary>Joins a normalized folder and a name.</summary>
    public static string Combine(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>The last segment of a normalized path; the empty string for the root.</summary>
    public static string GetName(string normalizedPath) => normalizedPath.Substring(normalizedPath.LastIndexOf('/') + 1);

    /// <summary>The folder of a normalized path; the empty string (the root) for a top-level item.</summary>
    public static string GetParent(string normalizedPath)
    {
        int slash = normalizedPath.LastIndexOf('/');
        return slash < 0 ? string.Empty : normalizedPath.Substring(0, slash);
    }

    /// <summary>The form users see: a normalized path with a leading '/'.</summary>
    public static string ToDisplay(string normalizedPath) => "/" + normalizedPath;

    private static FtpException Invalid(string path, string reason) =>
        new(FtpStatus.InvalidPath, $"The remote path '{Printable(path)}' is not allowed: {reason}.") { RemotePath = path };

    private static string Printable(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (char c in path)
        {
            builder.Append(c < 0x20 || c == 0x7F ? $"\\u{(int)c:X4}" : c.ToString());
        }
        return builder.ToString();
    }
}
