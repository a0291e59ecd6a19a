using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// The server's own folder, <c>.psftp</c> in the root: <c>partial</c> holds uploads until they are committed,
/// <c>trash</c> folders being deleted, and <c>uploads.log</c> the journal of committed resumable uploads.
/// </summary>
internal sealed class StateFolder
{
    private readonly RootJail _jail;

    /// <summary>Names the folders in <paramref name="jail"/>'s root and empties the trash; creates nothing yet.</summary>
    public StateFolder(RootJail jail)
    {
        _jail = jail;
        Partials = Path.Join(jail.StateFolder, "partial");
        // Folders being deleted are moved here first; what a crash left behind goes now.
        Trash = Path.Join(jail.StateFolder, "trash");
        if (Directory.Exists(Trash))
        {
            Directory.Delete(Trash, recursive: true);
        }
    }

    /// <summary>Where uploads are written until they are committed.</summary>
    public string Partials { get; }

    /// <summary>Where a folder is moved before it is deleted, out of every request's reach.</summary>
    public string Trash { get; }

    /// <summary>Whether the folders are there (someone emptying the root from a shell removes them).</summary>
    public bool Exists() => Directory.Exists(Partials) && Directory.Exists(Trash);

    /// <summary>
    /// Creates the server's own folders inside the root as it is now (never a new root: a root that is gone may be a disk
    /// that is not mounted, and the files would land beneath it) and loads the upload journal found there.
    /// </summary>
    /// <exception cref="IOException">The root is missing, or <c>.psftp</c> cannot be a folder of the server's own.</exception>
    public UploadRecords Create()
    {
        using var root = PinnedItem.Open(_jail.Root);
        if (root is null || !Directory.Exists(root.Path))
        {
            throw _jail.RootMissing();
        }
        string state = Path.Join(root.Path, RemotePath.ReservedRootName);
        if (File.Exists(state) || new FileInfo(state).LinkTarget is not null)
        {
            throw new IOException($"'{_jail.StateFolder}' is a file or a link; the server keeps its own files in a folder of that name.");
        }
        Directory.CreateDirectory(Path.Join(state, "trash"));
        Directory.CreateDirectory(Path.Join(state, "partial"));
        return new UploadRecords(Path.Join(_jail.StateFolder, "uploads.log"));
    }

    /// <summary>Whether a failure on the server's own folder is one its operator must fix (a full disk is reported as such).</summary>
    public static bool IsFailure(Exception e) => e is UnauthorizedAccessException || (e is IOException io && !DiskFull.Is(io));

    /// <summary>The server's own folder cannot be written; the cause, for the log, names it on the disk; the client is not told server paths.</summary>
    public static FtpException Unusable(Exception cause) => new(
        FtpStatus.InternalError,
        $"The server cannot write to its own folder ({RemotePath.ReservedRootName} in its root); the server's operator must fix it.",
        cause);

    /// <summary>
    /// Creates or opens a partial file in <c>.psftp/partial</c>, exclusively, reporting a failure
    /// as the server's, not the client's.
    /// </summary>
    public static FileStream OpenPartial(string partial, FileMode mode, FileAccess access)
    {
        try
        {
            return new FileStream(partial, new FileStreamOptions
            {
                Mode = mode,
                Access = access,
                Share = FileShare.None,
                // No buffer of its own: the upload writes each block of the transport where it lies (LocalFolderUpload.Write),
                // and a 1 MiB buffer per upload was a large-object allocation per small file, which cost a full GC every few.
                BufferSize = 0,
            });
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw Unusable(e);
        }
    }
}
