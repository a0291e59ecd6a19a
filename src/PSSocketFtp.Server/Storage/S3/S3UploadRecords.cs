using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// The S3 store's resume state, all of it in the bucket, so that a client cut off from one server continues on another
/// (docs/scale-out.md): per upload id, a record of the upload in progress (<c>prefix/.psftp/uploads/&lt;hash&gt;</c>,
/// an <see cref="S3UploadState"/>: its multipart upload, whose parts are the bytes held) and, once committed, what it
/// ended as (<c>prefix/.psftp/done/&lt;hash&gt;</c>, an <see cref="UploadRecord"/>, for a retry whose answer was lost).
/// </summary>
/// <remarks>
/// The rules are the local store's (<see cref="PartialUploads"/>): a resume with other values starts over, and a new
/// upload of an id takes it over. Without a lock service the takeover is the record: the new upload writes its own
/// <see cref="S3UploadState.Owner"/>, and the old one checks the record before each part and before completing, so its
/// next step fails. A part the old one was sending at that moment may still land (the same bytes of the same file).
/// </remarks>
internal sealed class S3UploadRecords(S3FileStore store)
{
    private IAmazonS3 S3 => store.Client;

    /// <summary>The fixed-length name of an id's records: ids are safe as keys, but this keeps the partial keys parseable.</summary>
    internal static string RecordName(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)), 0, 16);

    /// <summary>The record name a partial key belongs to (<c>&lt;name&gt;-&lt;guid&gt;</c>), or null for an upload without an id.</summary>
    internal static string? NameOfPartial(string partialName) =>
        partialName.Length > 33 && partialName[32] == '-' ? partialName[..32] : null;

    /// <summary>
    /// Starts or continues the resumable upload <paramref name="id"/>: with a record of the same values whose multipart
    /// upload is still there, the bytes held are its whole parts from the first on (a part cut off mid-way was never
    /// stored); otherwise a new multipart upload (one of other values is aborted: they start over). Either way the record
    /// then names this upload as the owner, which takes over one still running elsewhere.
    /// </summary>
    public async Task<(S3UploadState State, List<PartETag> Parts, long Held)> BeginAsync(UploadRequest request, string id, CancellationToken cancellationToken)
    {
        string fingerprint = PartialUploads.Fingerprint(request);
        string owner = Guid.NewGuid().ToString("N");
        var old = await ReadAsync(RunningKey(id), StoreJsonContext.Default.S3UploadState, cancellationToken).ConfigureAwait(false);
        if (old is not null && old.Fingerprint == fingerprint && await HeldPartsAsync(old, request.Length, cancellationToken).ConfigureAwait(false) is { } held)
        {
            var state = old with { Owner = owner };
            await WriteAsync(RunningKey(id), state, StoreJsonContext.Default.S3UploadState, cancellationToken).ConfigureAwait(false);
            return (state, held.Parts, held.Length);
        }
        if (old is not null)
        {
            await store.AbortQuietlyAsync(old.Key, old.MultipartId).ConfigureAwait(false);
        }
        var (key, multipartId) = await InitiateAsync(id, cancellationToken).ConfigureAwait(false);
        var fresh = new S3UploadState(id, fingerprint, owner, key, multipartId);
        await WriteAsync(RunningKey(id), fresh, StoreJsonContext.Default.S3UploadState, cancellationToken).ConfigureAwait(false);
        return (fresh, [], 0);
    }

    /// <summary>
    /// The parts to continue from: numbered from 1 without a gap, each a whole number of <see cref="S3Upload.PartSize"/>
    /// (the last part of a commit that failed is shorter: it is sent again). Null when the multipart upload is gone (it
    /// was completed by a commit or a read-back that did not finish, or swept): then the upload starts over.
    /// </summary>
    private async Task<(List<PartETag> Parts, long Length)?> HeldPartsAsync(S3UploadState state, long length, CancellationToken cancellationToken)
    {
        var listed = new List<PartDetail>();
        var request = new ListPartsRequest { BucketName = store.Bucket, Key = state.Key, UploadId = state.MultipartId };
        try
        {
            do
            {
                var page = await S3.ListPartsAsync(request, cancellationToken).ConfigureAwait(false);
                listed.AddRange(page.Parts ?? []);
                request.PartNumberMarker = page.IsTruncated == true ? page.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            }
            while (request.PartNumberMarker is not null);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        var parts = new List<PartETag>();
        long held = 0;
        foreach (var part in listed.OrderBy(p => p.PartNumber))
        {
            long size = part.Size ?? 0;
            if (part.PartNumber != parts.Count + 1 || size == 0 || size % S3Upload.PartSize != 0 || held + size > length)
            {
                break;
            }
            parts.Add(new PartETag(parts.Count + 1, part.ETag));
            held += size;
        }
        return (parts, held);
    }

    /// <summary>Fails with <see cref="FtpStatus.AccessDenied"/> when another upload of the id took this one over.</summary>
    public async Task EnsureOwnerAsync(S3UploadState state, string target, CancellationToken cancellationToken)
    {
        var now = await ReadAsync(RunningKey(state.Id), StoreJsonContext.Default.S3UploadState, cancellationToken).ConfigureAwait(false);
        if (now?.Owner != state.Owner || now.MultipartId != state.MultipartId)
        {
            throw new FtpException(FtpStatus.AccessDenied, $"Another connection took over the upload '{state.Id}'.") { RemotePath = target };
        }
    }

    /// <summary>
    /// Adds the <paramref name="held"/> bytes of <paramref name="parts"/> to <paramref name="hash"/>. S3 cannot read the
    /// parts of an unfinished multipart upload, so they are completed into an object, read back, and copied (server-side)
    /// into a new multipart upload that the upload then continues; the record names the new one. A cut in the middle
    /// leaves a record whose multipart upload is gone: the next try starts over. Only a resume with a hash pays this.
    /// </summary>
    public async Task<(S3UploadState State, List<PartETag> Parts)> ReadBackAsync(S3UploadState state, List<PartETag> parts, long held, TransferHash hash, string target, CancellationToken cancellationToken)
    {
        await EnsureOwnerAsync(state, target, cancellationToken).ConfigureAwait(false);
        await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = store.Bucket, Key = state.Key, UploadId = state.MultipartId, PartETags = parts }, cancellationToken).ConfigureAwait(false);
        try
        {
            using (var response = await S3.GetObjectAsync(new GetObjectRequest { BucketName = store.Bucket, Key = state.Key }, cancellationToken).ConfigureAwait(false))
            {
                await hash.AppendAsync(response.ResponseStream, held, cancellationToken).ConfigureAwait(false);
            }
            var (key, multipartId) = await InitiateAsync(state.Id, cancellationToken).ConfigureAwait(false);
            try
            {
                var copied = await store.CopyPartsAsync(state.Key, key, multipartId, held, cancellationToken).ConfigureAwait(false);
                var next = state with { Key = key, MultipartId = multipartId };
                await WriteAsync(RunningKey(state.Id), next, StoreJsonContext.Default.S3UploadState, cancellationToken).ConfigureAwait(false);
                return (next, copied);
            }
            catch
            {
                await store.AbortQuietlyAsync(key, multipartId).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            await DeleteQuietlyAsync(state.Key).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the record of an upload that ended (committed, discarded), unless another upload owns it now.</summary>
    public async Task ForgetAsync(S3UploadState state)
    {
        try
        {
            var now = await ReadAsync(RunningKey(state.Id), StoreJsonContext.Default.S3UploadState, CancellationToken.None).ConfigureAwait(false);
            if (now?.Owner == state.Owner)
            {
                await S3.DeleteObjectAsync(store.Bucket, RunningKey(state.Id)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsFailure(e))
        {
            // The sweep deletes it at its age.
        }
    }

    /// <summary>
    /// Records what a committed upload ended as. The file is in place already, so a record that cannot be written must not
    /// fail the commit: a retry whose answer was lost then uploads again.
    /// </summary>
    public async Task RecordCommittedAsync(string id, UploadRequest request, UploadResult result)
    {
        var record = new UploadRecord(id, store.Time.GetUtcNow(), PartialUploads.Fingerprint(request), result);
        try
        {
            await WriteAsync(CommittedKey(id), record, StoreJsonContext.Default.UploadRecord, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e))
        {
            // Only the retry's shortcut is lost.
        }
    }

    /// <summary>What the committed upload with <paramref name="request"/>'s id and values ended as, else null.</summary>
    public async Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        if (request.UploadId is not { } id || !UploadRequest.IsValidUploadId(id))
        {
            throw new ArgumentException($"'{request.UploadId}' is not a valid upload id.", nameof(request));
        }
        var record = await ReadAsync(CommittedKey(id), StoreJsonContext.Default.UploadRecord, cancellationToken).ConfigureAwait(false);
        // The resume rule's fingerprint: an id sent again for another file is a new upload, not the old one's answer.
        return record is { Result: not null } && record.Id == id && record.Fingerprint == PartialUploads.Fingerprint(request) ? record.Result : null;
    }

    /// <summary>A new multipart upload for the id, under a partial key that names the id's record (which the sweep reads).</summary>
    private async Task<(string Key, string MultipartId)> InitiateAsync(string id, CancellationToken cancellationToken)
    {
        string key = store.Keys.Partials + RecordName(id) + "-" + Guid.NewGuid().ToString("N");
        var initiate = await S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = store.Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        return (key, initiate.UploadId);
    }

    private string RunningKey(string id) => store.Keys.Uploads + RecordName(id);

    private string CommittedKey(string id) => store.Keys.Committed + RecordName(id);

    private async Task<T?> ReadAsync<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var response = await S3.GetObjectAsync(new GetObjectRequest { BucketName = store.Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync(response.ResponseStream, type, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (JsonException)
        {
            // Not ours, or cut short: as good as none.
            return null;
        }
    }

    private async Task WriteAsync<T>(string key, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = store.Bucket, Key = key, InputStream = new MemoryStream(body, writable: false) }, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteQuietlyAsync(string key)
    {
        try
        {
            await S3.DeleteObjectAsync(store.Bucket, key).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFailure(e))
        {
            // Under the partials: the sweep deletes it at its age.
        }
    }

    private static bool IsFailure(Exception e) => e is AmazonServiceException or IOException or HttpRequestException or OperationCanceledException;
}
