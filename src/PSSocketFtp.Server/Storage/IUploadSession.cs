using System.Buffers;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

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

    /// <summary>Appends body bytes: one DATA payload, in the buffers it arrived in.</summary>
    ValueTask WriteAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the file visible under its final name, applying the conflict rule at this moment. For a resumable upload, also
    /// records the result under its id, with <paramref name="hash"/>, for a retry whose answer was lost.
    /// </summary>
    Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken);

    /// <summary>Deletes the partial file (and a resumable upload's metadata), so the next try starts at 0.</summary>
    ValueTask DiscardAsync();
}
