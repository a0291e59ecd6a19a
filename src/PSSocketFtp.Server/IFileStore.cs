using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// Where the server keeps files. The protocol code sees only this, so another store (an object store) can replace the
/// local folder. Paths are remote paths as the client sent them; the store normalizes them and enforces its jail, and
/// reports failures as <see cref="FtpException"/> or the usual I/O exceptions.
/// </summary>
internal interface IFileStore
{
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
    /// running elsewhere is taken over (its writes and commit fail from then on, its partial file stays).
    /// </summary>
    Task<IUploadSession> BeginUploadAsync(UploadRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the upload with <paramref name="request"/>'s id ended as, when it was committed within the partial-file age
    /// limit with the very values of <paramref name="request"/> (those a resume must match); else null.
    /// </summary>
    Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a file, or a folder (with content only when <paramref name="recursive"/>).</summary>
    Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken);

    /// <summary>Deletes abandoned partial uploads and records of committed ones older than <paramref name="maxAge"/>; returns how many.</summary>
    Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}

/// <summary>What an UPLOAD request asks for.</summary>
/// <param name="Path">The destination as sent: a folder (empty, ending with '/', or existing) or the file's own path.</param>
/// <param name="FileName">The leaf name used when <paramref name="Path"/> is a folder.</param>
/// <param name="Length">The announced body length.</param>
/// <param name="Conflict">What to do when the name exists.</param>
/// <param name="UploadId">The client's id of a resumable upload (already checked against the protocol's rule), or null.</param>
/// <param name="HashAlgorithm">The wire name of the hash the body is checked with, or null; part of what a resume must match.</param>
internal sealed record UploadRequest(string Path, string? FileName, long Length, ConflictMode Conflict, string? UploadId = null, string? HashAlgorithm = null)
{
    /// <summary>Whether an id follows the protocol's rule: 1-64 characters of <c>A-Z a-z 0-9 - _</c> (so it is a safe file name too).</summary>
    public static bool IsValidUploadId(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}

/// <summary>Where an upload ended up.</summary>
/// <param name="Path">The final normalized remote path.</param>
/// <param name="Length">Bytes stored.</param>
/// <param name="Renamed">Whether the duplicate-name rule chose another name.</param>
/// <param name="HashAlgorithm">The wire name of the hash the body was checked with, or null.</param>
/// <param name="Hash">The whole file's hash, or null.</param>
internal sealed record UploadResult(string Path, long Length, bool Renamed, string? HashAlgorithm = null, byte[]? Hash = null);

/// <summary>
/// An upload in progress. Disposing it without a successful commit discards everything written, except that a resumable
/// upload (one with an id) keeps its partial file; <see cref="DiscardAsync"/> deletes that too.
/// </summary>
internal interface IUploadSession : IAsyncDisposable
{
    /// <summary>How many bytes of the file the store holds already; the body starts there.</summary>
    long Offset { get; }

    /// <summary>Adds the bytes held already (0 to <see cref="Offset"/>) to <paramref name="hash"/>; call before the first write.</summary>
    Task HashPrefixAsync(TransferHash hash, CancellationToken cancellationToken);

    /// <summary>Appends body bytes.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the file visible under its final name, applying the conflict rule at this moment. For a resumable upload, also
    /// records the result under its id, with <paramref name="hash"/>, for a retry whose answer was lost.
    /// </summary>
    Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken);

    /// <summary>Deletes the partial file (and a resumable upload's metadata), so the next try starts at 0.</summary>
    ValueTask DiscardAsync();
}

/// <summary>An open file and its description; disposing closes the file.</summary>
/// <param name="Entry">The file as STAT would describe it.</param>
/// <param name="Content">The bytes, positioned at 0.</param>
internal sealed record FileDownload(RemoteEntry Entry, Stream Content) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
