using System.Buffers;
using System.Globalization;
using Amazon.S3.Model;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// One upload into the S3 store. The body collects in a pooled buffer; a file smaller than one part goes in a single
/// conditional PutObject at commit. A larger one becomes a multipart upload under the server's own keys
/// (<c>prefix/.psftp/partial/</c>), a part (<see cref="PartSize"/>) at a time as the buffer fills; at commit the parts are
/// assembled there, the final name is claimed (the duplicate-name rule, decided by conditional puts, see
/// <see cref="S3FileStore.TryClaimAsync"/>), and the object is copied onto the claim. Nothing shows under the final name
/// before the copy, and a claim is hidden from every request.
/// </summary>
/// <remarks>
/// This slice keeps no resume state: a resumable upload starts at 0 on every try, and what an unfinished one sent is
/// aborted (docs/scale-out.md). Parts go up one at a time, in the call that filled the buffer: the client's DATA waits
/// meanwhile, which bounds memory to one part per upload.
/// </remarks>
internal sealed class S3Upload(S3FileStore store, string target, UploadRequest request) : IUploadSession
{
    /// <summary>The size of every part but the last (S3's minimum is 5 MiB).</summary>
    internal const int PartSize = 8 << 20;

    private readonly List<PartETag> _parts = [];
    private byte[]? _buffer;
    private int _filled;
    private long _written;
    private string? _partialKey;
    private string? _uploadId;
    private bool _done;

    public long Offset => 0;

    public Task HashPrefixAsync(TransferHash hash, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask WriteAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        var rest = data;
        while (rest.Length > 0)
        {
            EnsureBuffer();
            int take = (int)Math.Min(rest.Length, _buffer!.Length - _filled);
            rest.Slice(0, take).CopyTo(_buffer.AsSpan(_filled));
            _filled += take;
            _written += take;
            rest = rest.Slice(take);
            if (_filled == PartSize)
            {
                await UploadPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A buffer of the announced length when the file fits in one part (a small file holds a small buffer), else a part.</summary>
    private void EnsureBuffer()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.Length, 1, PartSize));
        }
        else if (_filled == _buffer.Length && _buffer.Length < PartSize)
        {
            // More than announced (the session refuses it at END) or a rented buffer smaller than a part: a part's buffer.
            var larger = ArrayPool<byte>.Shared.Rent(PartSize);
            _buffer.AsSpan(0, _filled).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }

    private async Task UploadPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            _partialKey = store.Keys.Partials + Guid.NewGuid().ToString("N");
            var initiate = await store.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = store.Bucket, Key = _partialKey }, cancellationToken).ConfigureAwait(false);
            _uploadId = initiate.UploadId;
        }
        int number = _parts.Count + 1;
        // A seekable stream over the buffer: the SDK signs it and can send it again on a retry.
        var response = await store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = store.Bucket,
            Key = _partialKey,
            UploadId = _uploadId,
            PartNumber = number,
            InputStream = new MemoryStream(_buffer!, 0, _filled, writable: false),
            PartSize = _filled,
        }, cancellationToken).ConfigureAwait(false);
        _parts.Add(new PartETag(number, response.ETag));
        _filled = 0;
    }

    public async Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        // The tree may have changed while the body arrived: check everything again.
        await store.CheckDestinationAsync(target, request.Conflict, cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, string>
        {
            [S3FileStore.TimeMetadata] = (request.LastWriteTime ?? store.Time.GetUtcNow()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        (string Path, bool Renamed) final;
        if (_uploadId is null)
        {
            var body = new ArraySegment<byte>(_buffer ?? [], 0, _filled);
            final = await ChooseNameAsync(
                candidate => store.TryPutNewAsync(candidate, body, metadata, cancellationToken),
                () => PutAsync(body, metadata, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (_filled > 0)
            {
                await UploadPartAsync(cancellationToken).ConfigureAwait(false);
            }
            // Assembled under the server's own key, where completing needs no condition; the claim below decides the name.
            await store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = store.Bucket,
                Key = _partialKey,
                UploadId = _uploadId,
                PartETags = _parts,
            }, cancellationToken).ConfigureAwait(false);
            _uploadId = null;
            try
            {
                final = await ChooseNameAsync(
                    candidate => store.TryClaimAsync(candidate, cancellationToken),
                    () => Task.CompletedTask,
                    cancellationToken).ConfigureAwait(false);
                try
                {
                    await store.CopyAsync(_partialKey!, store.Keys.File(final.Path), _written, metadata, cancellationToken).ConfigureAwait(false);
                }
                catch when (request.Conflict != ConflictMode.Overwrite)
                {
                    await store.ReleaseClaimAsync(final.Path).ConfigureAwait(false);
                    throw;
                }
            }
            finally
            {
                await DeletePartialAsync().ConfigureAwait(false);
            }
        }
        _done = true;
        ReturnBuffer();
        return new UploadResult(final.Path, _written, final.Renamed, hash is null ? null : request.HashAlgorithmName, hash);
    }

    /// <summary>
    /// The name by the conflict mode: Overwrite writes the target as it is; Fail takes the target or refuses; Rename takes
    /// <c>name.ext</c>, else <c>name_1.ext</c>, <c>name_2.ext</c>… (as the local store), each try a conditional put.
    /// </summary>
    private async Task<(string Path, bool Renamed)> ChooseNameAsync(Func<string, Task<bool>> tryTake, Func<Task> overwrite, CancellationToken cancellationToken)
    {
        if (request.Conflict == ConflictMode.Overwrite)
        {
            await overwrite().ConfigureAwait(false);
            return (target, false);
        }
        for (int n = 0; ; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string candidate = n == 0 ? target : LocalFolderStore.DuplicateName(target, n);
            if (await tryTake(candidate).ConfigureAwait(false))
            {
                return (candidate, n > 0);
            }
            if (request.Conflict == ConflictMode.Fail)
            {
                throw StoreErrors.AlreadyExists(target);
            }
        }
    }

    private Task PutAsync(ArraySegment<byte> body, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var put = new PutObjectRequest
        {
            BucketName = store.Bucket,
            Key = store.Keys.File(target),
            InputStream = new MemoryStream(body.Array ?? [], body.Offset, body.Count, writable: false),
        };
        S3FileStore.AddMetadata(put.Metadata, metadata);
        return store.Client.PutObjectAsync(put, cancellationToken);
    }

    private async Task DeletePartialAsync()
    {
        if (_partialKey is null)
        {
            return;
        }
        try
        {
            await store.Client.DeleteObjectAsync(store.Bucket, _partialKey).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or IOException or HttpRequestException)
        {
            // The sweep deletes assembled partials older than its age.
        }
    }

    public ValueTask DiscardAsync() => DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (!_done)
        {
            _done = true;
            if (_uploadId is { } id)
            {
                await store.AbortQuietlyAsync(_partialKey!, id).ConfigureAwait(false);
            }
        }
        ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
