namespace PSSocketFtp.Commands;

/// <summary>What Sync-FtpFolder did, or found nothing to do, about one item: <see cref="FtpSyncAction.Action"/>.</summary>
public enum FtpSyncOperation
{
    /// <summary>Copied (a folder: made) from the local side to the server.</summary>
    Upload,
    /// <summary>Copied (a folder: made) from the server to the local side.</summary>
    Download,
    /// <summary>Deleted from the target side (-Mirror).</summary>
    Delete,
    /// <summary>Left as it is: the target already holds the same.</summary>
    Skip,
}

/// <summary>Why Sync-FtpFolder took its action about an item: <see cref="FtpSyncAction.Reason"/>.</summary>
public enum FtpSyncReason
{
    /// <summary>Only the source side has the item.</summary>
    New,
    /// <summary>Both sides have the file, and it differs (size and time, or hash, by -Compare).</summary>
    Changed,
    /// <summary>Only the target side has the item.</summary>
    Extra,
    /// <summary>Both sides have the same item.</summary>
    Same,
}

/// <summary>One item of a Sync-FtpFolder run: its path below both folders, what was done about it and why.</summary>
public sealed class FtpSyncAction
{
    internal FtpSyncAction(string relativePath, bool isDirectory, FtpSyncOperation action, FtpSyncReason reason, long length, string localPath, string remotePath)
    {
        RelativePath = isDirectory ? relativePath + "/" : relativePath;
        IsDirectory = isDirectory;
        Action = action;
        Reason = reason;
        Length = length;
        LocalPath = localPath;
        RemotePath = remotePath;
    }

    /// <summary>The item's path below the synced folders, with '/' between segments; a folder's ends with '/'.</summary>
    public string RelativePath { get; }

    /// <summary>Whether the item is a folder.</summary>
    public bool IsDirectory { get; }

    /// <summary>Upload, Download, Delete or Skip.</summary>
    public FtpSyncOperation Action { get; }

    /// <summary>New, Changed, Extra (deleted by -Mirror) or Same.</summary>
    public FtpSyncReason Reason { get; }

    /// <summary>The file's length in bytes (of the deleted file for Delete); 0 for folders.</summary>
    public long Length { get; }

    /// <summary>The item's full local path.</summary>
    public string LocalPath { get; }

    /// <summary>The item's remote path, from the server's root.</summary>
    public string RemotePath { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Action} {Reason} {RelativePath}";
}
