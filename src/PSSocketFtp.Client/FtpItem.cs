using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>A file or folder on the server, shaped like FileSystemInfo so it formats and pipes like Get-ChildItem's output.</summary>
public sealed class FtpItem
{
    internal FtpItem(RemoteEntry entry)
    {
        Name = RemotePath.GetName(entry.Path);
        FullName = RemotePath.ToDisplay(entry.Path);
        Directory = RemotePath.ToDisplay(RemotePath.GetParent(entry.Path));
        IsDirectory = entry.Kind == ItemKind.Directory;
        Length = entry.Length;
        LastWriteTimeUtc = entry.LastWriteTimeUtc.UtcDateTime;
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
