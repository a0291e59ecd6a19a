using System.Text;
using System.Text.Json;

namespace PSSocketFtp.Client;

/// <summary>
/// What a download's sidecar file (<c>.&lt;name&gt;.psftp-partial.json</c>) records about its partial file: which
/// remote file it is the start of, and that file's length and time when it was read, so that a later try can ask the
/// server for the rest only while the file is unchanged. The sidecar is one JSON object:
/// <c>{"RemotePath":"…","Length":…,"LastWriteTime":…}</c>.
/// </summary>
internal sealed record PartialRecord(string RemotePath, long Length, long LastWriteTime)
{
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
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty(nameof(RemotePath), out var remote) && remote.ValueKind == JsonValueKind.String
                && root.TryGetProperty(nameof(Length), out var length) && length.ValueKind == JsonValueKind.Number && length.TryGetInt64(out long bytes) && bytes >= 0
                && root.TryGetProperty(nameof(LastWriteTime), out var time) && time.ValueKind == JsonValueKind.Number && time.TryGetInt64(out long ticks)
                ? new PartialRecord(remote.GetString()!, bytes, ticks)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the sidecar, hidden like its partial file.</summary>
    public void Write(string path)
    {
        if (File.Exists(path))
        {
            // A hidden file cannot be overwritten in place on Windows.
            File.SetAttributes(path, FileAttributes.Normal);
        }
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new Utf8JsonWriter(file))
        {
            writer.WriteStartObject();
            writer.WriteString(nameof(RemotePath), RemotePath);
            writer.WriteNumber(nameof(Length), Length);
            writer.WriteNumber(nameof(LastWriteTime), LastWriteTime);
            writer.WriteEndObject();
        }
        PartialFiles.Hide(path);
    }
}
