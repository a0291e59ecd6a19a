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

    /// <summary>Starts an upload: checks the destination now, stores the body out of sight until <see cref="IUploadSession.CommitAsync"/>.</summary>
    Task<IUploadSession> BeginUploadAsync(UploadRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a file, or a folder (with content only when <paramref name="recursive"/>).</summary>
    Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken);

    /// <summary>Deletes abandoned partial uploads older than <paramref name="maxAge"/>; returns how many.</summary>
    Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}

/// <summary>What an UPLOAD request asks for.</summary>
/// <param name="Path">The destination as sent: a folder (empty, ending with '/', or existing) or the file's own path.</param>
/// <param name="FileName">The leaf name used when <paramref name="Path"/> is a folder.</param>
/// <param name="Length">The announced body length.</param>
/// <param name="Conflict">What to do when the name exists.</param>
internal sealed record UploadRequest(string Path, string? FileName, long Length, ConflictMode Conflict);

/// <summary>Where an upload ended up.</summary>
/// <param name="Path">The final normalized remote path.</param>
/// <param name="Length">Bytes stored.</param>
/// <param name="Renamed">Whether the duplicate-name rule chose another name.</param>
internal sealed record UploadResult(string Path, long Length, bool Renamed);

/// <summary>An upload in progress. Disposing it without a successful commit discards everything written.</summary>
internal interface IUploadSession : IAsyncDisposable
{
    /// <summary>Appends body bytes.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes the file visible under its final name, applying the conflict rule at this moment.</summary>
    Task<UploadResult> CommitAsync(CancellationToken cancellationToken);
}

/// <summary>An open file and its description; disposing closes the file.</summary>
/// <param name="Entry">The file as STAT would describe it.</param>
/// <param name="Content">The bytes, positioned at 0.</param>
internal sealed record FileDownload(RemoteEntry Entry, Stream Content) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
