using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// One upload's state on its stream from READY to its answer: the store's upload, the storage it reserved, the hash of
/// the whole file and how much of the body has come. A version 3 connection holds several at once.
/// </summary>
internal sealed class UploadStream(uint stream, string path, long length, long offset, IUploadSession upload, UploadSpace? space, TransferHash? hash) : IDisposable
{
    public uint Stream { get; } = stream;

    /// <summary>The destination as the client asked for it, for errors and logs.</summary>
    public string Path { get; } = path;

    /// <summary>The file's whole length, as announced.</summary>
    public long Length { get; } = length;

    /// <summary>Where the body started (READY's offset).</summary>
    public long Offset { get; } = offset;

    /// <summary>Bytes of the file held so far: the offset, then every DATA payload that arrived.</summary>
    public long Received { get; set; } = offset;

    /// <summary>The hash of the whole file, when the client asked for one.</summary>
    public TransferHash? Hash { get; } = hash;

    /// <summary>The store's upload; null once it failed part way (the ERROR went out then, the rest of the body is dropped).</summary>
    public IUploadSession? Upload { get; private set; } = upload;

    /// <summary>The storage the upload reserved as its bytes came (Limits/StorageGuard.cs).</summary>
    public UploadSpace? Space { get; private set; } = space;

    /// <summary>Takes the upload and its reservation away from the stream, to be ended by the caller; null when ended already.</summary>
    public (IUploadSession? Upload, UploadSpace? Space) Detach()
    {
        var detached = (Upload, Space);
        (Upload, Space) = (null, null);
        return detached;
    }

    /// <inheritdoc />
    public void Dispose() => Hash?.Dispose();
}
