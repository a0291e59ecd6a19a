using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// Where the server keeps files. The protocol code sees only this, so another store (an object store) can replace the
/// local folder. Paths are remote paths as the client sent them; the store normalizes them and enforces its jail, and
/// reports failures as <see cref="FtpException"/> or the usual I/O exceptions.
/// </summary>
internal interface IFileStore
{
    /// <summary>What the store serves, for the log and <see cref="RunningFtpServer.Root"/>: a folder's full path, or <c>s3://bucket/prefix</c>.</summary>
    string Description { get; }

    /// <summary>
    /// The local folder whose drive holds the files, which free-space and quota checks measure; null for a store that has
    /// none (an object store), where those checks do not apply.
    /// </summary>
    string? LocalFolder { get; }

    /// <summary>A folder's children (with <paramref name="recursive"/>, everything below it, folders before their content), or a file itself.</summary>
    IAsyncEnumerable<RemoteEntry> ListAsync(string path, bool recursive, CancellationToken cancellationToken);

    /// <summary>Describes one item.</summary>
    Task<RemoteEntry> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>Opens a file for reading.</summary>
    Task<FileDownload> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Starts an upload: checks the destination now, stores the body out of sight until <see cref="IUploadSession.CommitAsync"/>.
    /// With an <see cref="UploadRequest.UploadId"/> the partial file is kept when the upload ends unfinished, and a later
    /// request with the same id and values continues it at <see cref="IUploadSession.Offset"/>; an upload of that id still
    /// running elsewhere is taken over (its writes and commit fail from then on, its partial file stays). The committed
    /// file carries <see cref="UploadRequest.LastWriteTime"/> from the moment it shows under its name, or the time of the
    /// commit without one.
    /// </summary>
    Task<IUploadSession> BeginUploadAsync(UploadRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the upload with <paramref name="request"/>'s id ended as, when it was committed within the partial-file age
    /// limit with the very values of <paramref name="request"/> (those a resume must match); else null.
    /// </summary>
    Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a file, or a folder (with content only when <paramref name="recursive"/>).</summary>
    Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a folder and its missing parents, and describes it. A folder already there is
    /// <see cref="FtpStatus.AlreadyExists"/> unless <paramref name="existingOk"/>; a file there always is, and a file in
    /// place of a parent is <see cref="FtpStatus.NotADirectory"/>.
    /// </summary>
    Task<RemoteEntry> CreateFolderAsync(string path, bool existingOk, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a file or folder to <paramref name="target"/> (whose parent folder must exist) in one atomic step, and
    /// describes it there. An item at the target is <see cref="FtpStatus.AlreadyExists"/> unless <paramref name="replace"/>,
    /// which replaces a file (or an empty folder by a folder), never a folder with content; the root never moves, and a
    /// folder never moves into itself (<see cref="FtpStatus.InvalidPath"/>).
    /// </summary>
    Task<RemoteEntry> RenameAsync(string path, string target, bool replace, CancellationToken cancellationToken);

    /// <summary>Deletes abandoned partial uploads and records of committed ones older than <paramref name="maxAge"/>; returns how many.</summary>
    Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}
