using System.Buffers;
using System.Globalization;
using Amazon.S3.Model;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// One upload into the S3 _store. The body collects in a pooled buffer; a file smaller than one part goes in a single
/// conditional PutObject at commit. A larger one becomes a multipart upload under the server's own keys
/// (<c>prefix/.psftp/partial/</c>), a part (<see cref="PartSize"/>) sent as each buffer fills; at commit the parts are
/// assembled there, the final name is claimed (the duplicate-name rule, decided by conditional puts, see
/// <see cref="S3NameClaims.TryClaimAsync"/>), and the object is copied onto the claim. Nothing shows under the final name
/// before the copy, and a claim is hidden from every _request.
/// </summary>
/// <remarks>
/// A resumable upload of at least one part keeps its state in the bucket (<see cref="S3UploadRecords"/>): it continues
/// the whole parts an earlier try stored, on whichever server, and an unfinished one's parts stay for the next try. A
/// smaller resumable upload starts at 0 on every try (one put, nothing to continue) but is recorded when committed too.
/// Up to <see cref="MaxPartsInFlight"/> parts go up at once: the call that fills a buffer starts its part and, when the
/// part before is still in flight, waits for that one, whose buffer then fills next. So the client's DATA overlaps the
/// upload of the previous part, and memory stays bounded at two parts (16 MiB) per upload. Parts are stored in number
/// order as each ends, so a resume (which counts the parts from 1 without a gap) never skips one that failed or was cut;
/// a failed part fails the upload. An upload running longer than <see cref="S3LiveUploads.RefreshInterval"/> keeps a live
/// marker fresh so that the sweep does not take it for abandoned.
/// </remarks>
internal sealed class S3Upload : IUploadSession
{
    /// <summary>The size of every part but the last (S3's minimum is 5 MiB).</summary>
    internal const int PartSize = 8 << 20;

    /// <summary>
    /// How many parts go up at once: while one is sent the next fills (and then goes up beside it), so the client's DATA
    /// waits only when both are still in flight. Memory: at most this many <see cref="PartSize"/> buffers per upload (16 MiB).
    /// </summary>
    internal const int MaxPartsInFlight = 2;

    private readonly S3FileStore _store;
    private readonly string _target;
    private readonly UploadRequest _request;
    // The parts stored, in number order: always 1..n without a gap (a part is added only after every earlier one).
    private List<PartETag> _parts = [];
    // The parts being sent, oldest first, each with its buffer (returned to the pool only once its request ended).
    private readonly Queue<(Task<PartETag> Upload, byte[] Buffer)> _inFlight = new();
    // A part failed: the upload may not go on (a later part would leave a gap that completing would not notice).
    private bool _failed;
    // A resumable upload's record in the bucket, or null (no id, or smaller than a part).
    private S3UploadState? _state;
    private byte[]? _buffer;
    private int _filled;
    private long _written;
    private string? _partialKey;
    private string? _uploadId;
    private bool _done;
    // When the sweep last had a sign of this upload (its start or record, then its live marker), on the store's clock.
    private DateTimeOffset _lastAlive;
    // Whether this upload put a live marker (deleted when it ends).
    private bool _marked;

    /// <summary>An upload starting at 0 (without an id, or smaller than a part).</summary>
    public S3Upload(S3FileStore store, string target, UploadRequest request)
    {
        _store = store;
        _target = target;
        _request = request;
        _lastAlive = store.Time.GetUtcNow();
    }

    /// <summary>A resumable upload continuing <paramref name="state"/>'s multipart upload after the <paramref name="held"/> bytes of <paramref name="parts"/>.</summary>
    public S3Upload(S3FileStore store, string target, UploadRequest request, S3UploadState state, List<PartETag> parts, long held)
        : this(store, target, request)
    {
        _state = state;
        _parts = parts;
        _partialKey = state.Key;
        _uploadId = state.MultipartId;
        _written = held;
        Offset = held;
    }

    public long Offset { get; }

    public async Task HashPrefixAsync(TransferHash hash, CancellationToken cancellationToken)
    {
        if (Offset == 0 || _state is null)
        {
            return;
        }
        (_state, _parts) = await _store.Uploads.ReadBackAsync(_state, _parts, Offset, hash, _target, cancellationToken).ConfigureAwait(false);
        (_partialKey, _uploadId) = (_state.Key, _state.MultipartId);
    }

    public async ValueTask WriteAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        ThrowIfFailed();
        // Each write, not each part: on a slow link one part may take longer than the sweep's age.
        await KeepAliveAsync(cancellationToken).ConfigureAwait(false);
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
                await StartPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A buffer of the announced length when the file fits in one part (a small file holds a small buffer), else a part.</summary>
    private void EnsureBuffer()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(_request.Length, 1, PartSize));
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

    /// <summary>Puts the live marker again when the last sign for the sweep is older than <see cref="S3LiveUploads.RefreshInterval"/>.</summary>
    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var now = _store.Time.GetUtcNow();
        if (_partialKey is null || now - _lastAlive < _store.Live.RefreshInterval)
        {
            return;
        }
        await _store.Live.TouchAsync(_partialKey, cancellationToken).ConfigureAwait(false);
        _lastAlive = now;
        _marked = true;
    }

    /// <summary>
    /// Sends the filled buffer as the next part, without waiting for it, beside the one before (if still in flight); with
    /// <see cref="MaxPartsInFlight"/> parts in flight, waits for the oldest and fills its buffer next.
    /// </summary>
    private async Task StartPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            _partialKey = _store.Keys.Partials + Guid.NewGuid().ToString("N");
            var initiate = await _store.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _store.Bucket, Key = _partialKey }, cancellationToken).ConfigureAwait(false);
            _uploadId = initiate.UploadId;
        }
        int number = _parts.Count + _inFlight.Count + 1;
        var buffer = _buffer!;
        _inFlight.Enqueue((SendPartAsync(number, buffer, _filled, cancellationToken), buffer));
        _buffer = null;
        _filled = 0;
        if (_inFlight.Count == MaxPartsInFlight)
        {
            await EndOldestPartAsync(reuseBuffer: true).ConfigureAwait(false);
        }
    }

    private async Task<PartETag> SendPartAsync(int number, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        if (_state is not null)
        {
            // Taken over by a newer try of this id (on any server): its parts, not ours.
            await _store.Uploads.EnsureOwnerAsync(_state, _target, cancellationToken).ConfigureAwait(false);
        }
        // A seekable stream over the buffer: the SDK signs it and can send it again on a retry.
        var response = await _store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = _store.Bucket,
            Key = _partialKey,
            UploadId = _uploadId,
            PartNumber = number,
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            PartSize = length,
        }, cancellationToken).ConfigureAwait(false);
        return new PartETag(number, response.ETag);
    }

    /// <summary>
    /// Waits for the oldest part in flight and adds it to the parts stored (so they stay in number order); its buffer
    /// is filled next or returned. A failed part fails the upload.
    /// </summary>
    private async Task EndOldestPartAsync(bool reuseBuffer)
    {
        var (upload, buffer) = _inFlight.Dequeue();
        try
        {
            _parts.Add(await upload.ConfigureAwait(false));
        }
        catch
        {
            _failed = true;
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (reuseBuffer && _buffer is null)
        {
            _buffer = buffer;
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits for every part in flight, ignoring failures (the upload is ending anyway), and returns their buffers.</summary>
    private async Task DrainQuietlyAsync()
    {
        while (_inFlight.Count > 0)
        {
            try
            {
                await EndOldestPartAsync(reuseBuffer: false).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or IOException or HttpRequestException or OperationCanceledException or FtpException)
            {
                // Ending: aborted, or kept for the next try as far as the parts stored reach without a gap.
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failed)
        {
            throw new InvalidOperationException("A part of this upload failed; it cannot go on.");
        }
    }

    public async Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        ThrowIfFailed();
        // The tree may have changed while the body arrived: check everything again.
        await _store.CheckDestinationAsync(_target, _request.Conflict, cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, string>
        {
            [S3FileStore.TimeMetadata] = (_request.LastWriteTime ?? _store.Time.GetUtcNow()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        (string Path, bool Renamed) final;
        if (_uploadId is null)
        {
            var body = new ArraySegment<byte>(_buffer ?? [], 0, _filled);
            final = await ChooseNameAsync(
                candidate => _store.Claims.TryPutNewAsync(candidate, body, metadata, cancellationToken),
                () => PutAsync(body, metadata, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await KeepAliveAsync(cancellationToken).ConfigureAwait(false);
            if (_filled > 0)
            {
                await StartPartAsync(cancellationToken).ConfigureAwait(false);
            }
            // Every part, in number order (a failed one fails the commit).
            while (_inFlight.Count > 0)
            {
                await EndOldestPartAsync(reuseBuffer: false).ConfigureAwait(false);
            }
            if (_state is not null)
            {
                // The last check before the parts become an object: a newer try of this id owns them from then on.
                await _store.Uploads.EnsureOwnerAsync(_state, _target, cancellationToken).ConfigureAwait(false);
            }
            // Assembled under the server's own key, where completing needs no condition; the claim below decides the name.
            await _store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _store.Bucket,
                Key = _partialKey,
                UploadId = _uploadId,
                PartETags = _parts,
            }, cancellationToken).ConfigureAwait(false);
            _uploadId = null;
            try
            {
                final = await ChooseNameAsync(
                    candidate => _store.Claims.TryClaimAsync(candidate, cancellationToken),
                    () => Task.CompletedTask,
                    cancellationToken).ConfigureAwait(false);
                try
                {
                    await _store.CopyAsync(_partialKey!, _store.Keys.File(final.Path), _written, metadata, cancellationToken).ConfigureAwait(false);
                }
                catch when (_request.Conflict != ConflictMode.Overwrite)
                {
                    await _store.Claims.ReleaseClaimAsync(final.Path).ConfigureAwait(false);
                    throw;
                }
            }
            finally
            {
                await DeletePartialAsync().ConfigureAwait(false);
                await ForgetMarkerAsync().ConfigureAwait(false);
            }
        }
        _done = true;
        ReturnBuffers();
        var result = new UploadResult(final.Path, _written, final.Renamed, hash is null ? null : _request.HashAlgorithmName, hash);
        if (_request.UploadId is { } id)
        {
            // Before the answer goes out: a retry whose answer is lost finds it, on any server.
            await _store.Uploads.RecordCommittedAsync(id, _request, result).ConfigureAwait(false);
            if (_state is not null)
            {
                await _store.Uploads.ForgetAsync(_state).ConfigureAwait(false);
            }
        }
        return result;
    }

    /// <summary>
    /// The name by the conflict mode: Overwrite writes the target as it is; Fail takes the target or refuses; Rename takes
    /// <c>name.ext</c>, else <c>name_1.ext</c>, <c>name_2.ext</c>… (as the local store), each try a conditional put.
    /// </summary>
    private async Task<(string Path, bool Renamed)> ChooseNameAsync(Func<string, Task<bool>> tryTake, Func<Task> overwrite, CancellationToken cancellationToken)
    {
        if (_request.Conflict == ConflictMode.Overwrite)
        {
            await overwrite().ConfigureAwait(false);
            return (_target, false);
        }
        for (int n = 0; ; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string candidate = n == 0 ? _target : LocalFolderStore.DuplicateName(_target, n);
            if (await tryTake(candidate).ConfigureAwait(false))
            {
                return (candidate, n > 0);
            }
            if (_request.Conflict == ConflictMode.Fail)
            {
                throw StoreErrors.AlreadyExists(_target);
            }
        }
    }

    private Task PutAsync(ArraySegment<byte> body, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var put = new PutObjectRequest
        {
            BucketName = _store.Bucket,
            Key = _store.Keys.File(_target),
            InputStream = new MemoryStream(body.Array ?? [], body.Offset, body.Count, writable: false),
        };
        S3FileStore.AddMetadata(put.Metadata, metadata);
        return _store.Client.PutObjectAsync(put, cancellationToken);
    }

    private async Task DeletePartialAsync()
    {
        if (_partialKey is null)
        {
            return;
        }
        try
        {
            await _store.Client.DeleteObjectAsync(_store.Bucket, _partialKey).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or IOException or HttpRequestException)
        {
            // The sweep deletes assembled partials older than its age.
        }
    }

    private async Task ForgetMarkerAsync()
    {
        if (_marked && _partialKey is { } key)
        {
            _marked = false;
            await _store.Live.ForgetAsync(key).ConfigureAwait(false);
        }
    }

    /// <summary>Aborts the parts and, for a resumable upload still owned by this one, deletes its record: the next try starts at 0.</summary>
    public async ValueTask DiscardAsync()
    {
        if (!_done && _state is { } state)
        {
            _done = true;
            await DrainQuietlyAsync().ConfigureAwait(false);
            ReturnBuffers();
            try
            {
                await _store.Uploads.EnsureOwnerAsync(state, _target, CancellationToken.None).ConfigureAwait(false);
            }
            catch (FtpException)
            {
                // The parts are the newer try's now.
                return;
            }
            await _store.AbortQuietlyAsync(state.Key, state.MultipartId).ConfigureAwait(false);
            await _store.Uploads.ForgetAsync(state).ConfigureAwait(false);
            await ForgetMarkerAsync().ConfigureAwait(false);
            return;
        }
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Ends the upload: an unfinished one's parts are aborted, except a resumable one's, kept for the next try (or the sweep).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_done)
        {
            _done = true;
            // The buffers of parts still in flight are the SDK's until their requests end; a resumable upload's parts
            // that land are kept for the next try.
            await DrainQuietlyAsync().ConfigureAwait(false);
            if (_uploadId is { } id && _state is null)
            {
                await _store.AbortQuietlyAsync(_partialKey!, id).ConfigureAwait(false);
                await ForgetMarkerAsync().ConfigureAwait(false);
            }
            // A resumable upload's marker stays: the parts kept for the next try age from its last refresh, as a local
            // partial's from its last write.
        }
        ReturnBuffers();
    }

    private void ReturnBuffers()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
