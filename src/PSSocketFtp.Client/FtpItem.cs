using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>A file or folder on the server, shaped like FileSystemInfo so it formats and pipes like Get-ChildItem's output.</summary>
public sealed class FtpItem
{
    internal FtpItem(RemoteEntry entry)
        : this(entry, RemotePath.ToDisplay(RemotePath.GetParent(entry.Path)))
    {
    }

    private FtpItem(RemoteEntry entry, string directory)
    {
        Name = RemotePath.GetName(entry.Path);
        FullName = RemotePath.ToDisplay(entry.Path);
        Directory = directory;
        IsDirectory = entry.Kind == ItemKind.Directory;
        Length = entry.Length;
        LastWriteTimeUtc = entry.LastWriteTimeUtc.UtcDateTime;
    }

    /// <summary>The items of one ENTRIES frame, in listing order.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: an entry is missing a field or malformed.</exception>
    internal static List<FtpItem> ReadBatch(FieldSet fields)
    {
        var entries = Protocol.Messages.EntriesAnswer.Read(fields).Entries;
        var items = new List<FtpItem>(entries.Count);
        // A listing comes folder by folder: items of the same folder share its Directory string instead of each making two.
        string? parent = null;
        string directory = string.Empty;
        foreach (var entry in entries)
        {
            string path = entry.Path;
            int slash = path.LastIndexOf('/');
            int parentLength = Math.Max(slash, 0);
            if (parent is null || parent.Length != parentLength || string.CompareOrdinal(parent, 0, path, 0, parentLength) != 0)
            {
                parent = RemotePath.GetParent(path);
                directory = RemotePath.ToDisplay(parent);
            }
            items.Add(new FtpItem(entry, directory));
        }
        return items;
    }

    /// <summary>The item's name.</summary>
    public string Name { get; }

    /// <summary>The item's remote path, from the server's root: <c>/folder/name.ext</c>.</summary>
    public string FullName { get; }

    /// <summary>The remote folder that holds the item.</summary>
    public string Directory { get; }

    /// <summary>Whether the item is a folder.</summary>
    public bool IsDirectory { get; }

    /// <summary>Length in bytes; 0 for folders.</summary>
    public long Length { get; }

    /// <summary>When the item was last written, in local time.</summary>
    public DateTime LastWriteTime => LastWriteTimeUtc.ToLocalTime();

    /// <summary>When the item was last written, in UTC.</summary>
    public DateTime LastWriteTimeUtc { get; }

    /// <summary>The file mode column Get-ChildItem shows: <c>d----</c> for folders, <c>-a---</c> for files.</summary>
    public string Mode => IsDirectory ? "d----" : "-a---";

    /// <inheritdoc />
    public override string ToString() => FullName;
}
