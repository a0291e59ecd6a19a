using System.Runtime.InteropServices;

namespace PSSocketFtp.Client;

/// <summary>Names and housekeeping of a download's partial file and sidecar.</summary>
internal static class PartialFiles
{
    public const string Suffix = ".psftp-partial";

    /// <summary>The hidden partial file next to <paramref name="fullPath"/>: <c>.&lt;name&gt;.psftp-partial</c>.</summary>
    public static string PartialPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, "." + Path.GetFileName(fullPath) + Suffix);

    /// <summary>Whether a file name is a partial file's or a sidecar's.</summary>
    public static bool IsPartialName(string fileName) =>
        fileName.StartsWith(".", StringComparison.Ordinal) && (fileName.EndsWith(Suffix, StringComparison.Ordinal) || fileName.EndsWith(Suffix + ".json", StringComparison.Ordinal));

    /// <summary>The partial file's sidecar: <c>.&lt;name&gt;.psftp-partial.json</c>.</summary>
    public static string SidecarPath(string partialPath) => partialPath + ".json";

    /// <summary>Hides a file on Windows (the leading dot hides it elsewhere).</summary>
    public static void Hide(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.Hidden);
        }
    }

    /// <summary>Shows a file that was hidden as a partial file.</summary>
    public static void Unhide(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            File.SetAttributes(path, File.GetAttributes(path) & ~FileAttributes.Hidden);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.SetAttributes(path, FileAttributes.Normal);
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Housekeeping only: a leftover partial is resumed or replaced by the next download.
        }
    }
}
