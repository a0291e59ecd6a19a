using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// The store as keys in an S3 bucket (docs/scale-out.md): a file is the object <c>prefix/path</c>, a folder the common
/// prefix <c>prefix/path/</c> and, when made empty by MKDIR, the empty marker object of that name. Several servers on one
/// prefix share one tree; what has to hold across them (the duplicate-name rule) rests on conditional puts
/// (<c>If-None-Match: *</c>), which radosgw 16.2 honours on PutObject but not on CompleteMultipartUpload: a large upload
/// first claims its name with an empty <em>claim</em> object, then is copied onto it. Claims are hidden from every
/// request, and one left by a server that died mid-commit is stale after <see cref="S3NameClaims.StaleClaimAge"/>.
/// </summary>
/// <remarks>
/// Paths go through <see cref="RemotePath"/> (via <see cref="S3Keys"/>), as for the local store, so no request reaches
/// the server's own keys under <c>prefix/.psftp/</c>. Renames and recursive deletes are copies and deletes of each key:
/// not atomic (a failure midway leaves part of the tree at each place), unlike on a local disk.
/// </remarks>
internal sealed class S3FileStore : IFileStore, IDisposable
{
    /// <summary>Object metadata: the file's last write time (Unix milliseconds), which the bucket's own LastModified cannot be set to.</summary>
    internal const string TimeMetadata = "psftp-mtime";

    /// <summary>Object metadata of a claim: an upload's name taken, its bytes not there yet.</summary>
    internal const string ClaimMetadata = "psftp-claim";

    // The largest object one CopyObject copies (S3's limit); a larger one is copied in parts.
    private const long MaxCopySize = 5L << 30;
    private const long CopyPartSize = 128L * S3Upload.PartSize;

    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly TimeProvider _time;
    private readonly S3Listing _listing;

    /// <summary>A store on <paramref name="bucket"/> under <paramref name="prefix"/>.</summary>
    public S3FileStore(IAmazonS3 s3, string bucket, string? prefix, TimeProvider time, TimeSpan? staleClaimAge = null)
    {
        _s3 = s3;
        _bucket = bucket;
        _time = time;
        Keys = new S3Keys(prefix);
        Description = $"s3://{bucket}/{Keys.Base}";
        Uploads = new S3UploadRecords(this);
        Claims = new S3NameClaims(this, staleClaimAge ?? S3NameClaims.DefaultStaleClaimAge);
        Live = new S3LiveUploads(this);
        _listing = new S3Listing(this);
    }

    /// <summary>The store the options describe (checked by <see cref="S3ClientFactory.Validate"/>).</summary>
    public static S3FileStore Create(S3StoreOptions options, TimeProvider time) =>
        new(S3ClientFactory.Create(options), options.Bucket!, options.Prefix, time);

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public string? LocalFolder => null;

    internal S3Keys Keys { get; }

    /// <summary>The resume state and committed-upload records, in the bucket.</summary>
    internal S3UploadRecords Uploads { get; }

    /// <summary>The names taken by conditional puts, which hold the duplicate-name rule across servers.</summary>
    internal S3NameClaims Claims { get; }

    /// <summary>The markers that keep uploads still receiving from being swept.</summary>
    internal S3LiveUploads Live { get; }

    internal IAmazonS3 Client => _s3;

    internal string Bucket => _bucket;

    internal TimeProvider Time => _time;

    /// <inheritdoc />
    public async IAsyncEnumerable<RemoteEntry> ListAsync(string path, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string normalized = RemotePath.Normalize(path);
        var item = await FindAsync(normalized, cancellationToken).ConfigureAwait(false) ?? throw StoreErrors.NotFound(normalized);
        if (item.Kind == ItemKind.File)
        {
            yield return item;
            yield break;
        }
        var entries = recursive ? _listing.ListTreeAsync(normalized, cancellationToken) : _listing.ListFolderAsync(normalized, cancellationToken);
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <inheritdoc />
    public async Task<RemoteEntry> StatAsync(string path, CancellationToken cancellationToken)
    {
        string normalized = RemotePath.Normalize(path);
        return await FindAsync(normalized, cancellationToken).ConfigureAwait(false) ?? throw StoreErrors.NotFound(normalized);
    }

    /// <inheritdoc />
    public async Task<FileDownload> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        string normalized = RemotePath.Normalize(path);
        if (normalized.Length > 0 && await HeadAsync(Keys.File(normalized), cancellationToken).ConfigureAwait(false) is { IsClaim: false } head)
        {
            var entry = FileEntry(normalized, head);
            return new FileDownload(entry, new S3ReadStream(_s3, _bucket, Keys.File(normalized), head.ETag, head.Length));
        }
        if (await FolderExistsAsync(normalized, cancellationToken).ConfigureAwait(false))
        {
            throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(normalized)}' is a folder.") { RemotePath = normalized };
        }
        throw StoreErrors.NotFound(normalized);
    }

    /// <inheritdoc />
    public async Task<IUploadSession> BeginUploadAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        string folder = RemotePath.Normalize(request.Path);
        bool intoFolder = UploadTarget.NamesFolder(request, folder) || await FolderExistsAsync(folder, cancellationToken).ConfigureAwait(false);
        string target = intoFolder ? UploadTarget.Into(request, folder) : folder;
        RemotePath.Normalize(target);
        await CheckDestinationAsync(target, request.Conflict, cancellationToken).ConfigureAwait(false);
        if (request.UploadId is { } id && request.Length >= S3Upload.PartSize)
        {
            // Continued from the parts an earlier try stored, on any server; a smaller one is a single put and starts at 0.
            var (state, parts, held) = await Uploads.BeginAsync(request, id, cancellationToken).ConfigureAwait(false);
            return new S3Upload(this, target, request, state, parts, held);
        }
        return new S3Upload(this, target, request);
    }

    /// <summary>Refuses an upload destination that cannot become a file now (checked again at commit).</summary>
    internal async Task CheckDestinationAsync(string target, ConflictMode conflict, CancellationToken cancellationToken)
    {
        if (await FolderExistsAsync(target, cancellationToken).ConfigureAwait(false))
        {
            throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(target)}' is a folder; an upload never replaces a folder.") { RemotePath = target };
        }
        await CheckParentsAsync(target, cancellationToken).ConfigureAwait(false);
        if (conflict == ConflictMode.Fail && await HeadAsync(Keys.File(target), cancellationToken).ConfigureAwait(false) is { IsClaim: false })
        {
            throw StoreErrors.AlreadyExists(target);
        }
    }

    /// <summary>A file in place of one of <paramref name="normalized"/>'s folders is <see cref="FtpStatus.NotADirectory"/>.</summary>
    private async Task CheckParentsAsync(string normalized, CancellationToken cancellationToken)
    {
        for (string parent = RemotePath.GetParent(normalized); parent.Length > 0; parent = RemotePath.GetParent(parent))
        {
            if (await HeadAsync(Keys.File(parent), cancellationToken).ConfigureAwait(false) is { IsClaim: false })
            {
                throw StoreErrors.NotADirectory(parent);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>From the record in the bucket, so a retry reaching another server than the commit gets the answer too.</remarks>
    public Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken) => Uploads.FindCommittedAsync(request, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        string normalized = RemotePath.Normalize(path);
        if (normalized.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be deleted.") { RemotePath = normalized };
        }
        if (await HeadAsync(Keys.File(normalized), cancellationToken).ConfigureAwait(false) is { IsClaim: false })
        {
            await _s3.DeleteObjectAsync(_bucket, Keys.File(normalized), cancellationToken).ConfigureAwait(false);
            return;
        }
        string folderKey = Keys.Folder(normalized);
        var first = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = folderKey, MaxKeys = 2 }, cancellationToken).ConfigureAwait(false);
        var found = first.S3Objects ?? [];
        if (found.Count == 0)
        {
            throw StoreErrors.NotFound(normalized);
        }
        if (!recursive)
        {
            if (found.Count > 1 || found[0].Key != folderKey)
            {
                throw new FtpException(FtpStatus.DirectoryNotEmpty, $"The folder '{RemotePath.ToDisplay(normalized)}' is not empty; delete it recursively.") { RemotePath = normalized };
            }
            await _s3.DeleteObjectAsync(_bucket, folderKey, cancellationToken).ConfigureAwait(false);
            return;
        }
        await DeleteTreeAsync(folderKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every key under <paramref name="folderKey"/>, a page (one DeleteObjects call, at most 1000 keys) at a time.</summary>
    private async Task DeleteTreeAsync(string folderKey, CancellationToken cancellationToken)
    {
        await foreach (var page in _listing.ListPagesAsync(folderKey, delimiter: null, cancellationToken).ConfigureAwait(false))
        {
            await DeleteKeysAsync((page.S3Objects ?? []).Select(o => o.Key).ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteKeysAsync(List<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }
        var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = _bucket,
            Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(),
            Quiet = true,
        }, cancellationToken).ConfigureAwait(false);
        if (response.DeleteErrors is { Count: > 0 } errors)
        {
            throw new IOException($"The bucket refused to delete {errors.Count} keys, the first '{errors[0].Key}': {errors[0].Code} {errors[0].Message}");
        }
    }

    /// <inheritdoc />
    public async Task<RemoteEntry> CreateFolderAsync(string path, bool existingOk, CancellationToken cancellationToken)
    {
        string normalized = RemotePath.Normalize(path);
        if (normalized.Length == 0)
        {
            return existingOk ? FolderEntry(normalized) : throw StoreErrors.AlreadyExists(normalized);
        }
        await CheckParentsAsync(normalized, cancellationToken).ConfigureAwait(false);
        if (await HeadAsync(Keys.File(normalized), cancellationToken).ConfigureAwait(false) is { IsClaim: false })
        {
            throw StoreErrors.AlreadyExists(normalized);
        }
        if (await FolderExistsAsync(normalized, cancellationToken).ConfigureAwait(false))
        {
            return existingOk ? FolderEntry(normalized) : throw StoreErrors.AlreadyExists(normalized);
        }
        // Markers for the parents too, so that they stay when this folder goes, as on a disk; a marker is empty, so
        // putting one again changes nothing.
        for (string parent = RemotePath.GetParent(normalized); parent.Length > 0; parent = RemotePath.GetParent(parent))
        {
            await PutMarkerAsync(parent, conditional: false, cancellationToken).ConfigureAwait(false);
        }
        // Conditional: of two requests making one folder, the second hears AlreadyExists, as on a disk.
        bool made = await PutMarkerAsync(normalized, conditional: true, cancellationToken).ConfigureAwait(false);
        return made || existingOk ? FolderEntry(normalized) : throw StoreErrors.AlreadyExists(normalized);
    }

    private async Task<bool> PutMarkerAsync(string normalized, bool conditional, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = Keys.Folder(normalized),
                InputStream = new MemoryStream([], writable: false),
                IfNoneMatch = conditional ? "*" : null,
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A file is copied, then its old key deleted; a folder, every key under it, then the old keys: not atomic (a reader
    /// may see both for a moment; a failure midway leaves some keys at each place, and a retry finishes the move).
    /// </remarks>
    public async Task<RemoteEntry> RenameAsync(string path, string target, bool replace, CancellationToken cancellationToken)
    {
        string source = RemotePath.Normalize(path);
        string destination = RemotePath.Normalize(target);
        if (source.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be moved.") { RemotePath = source };
        }
        if (destination.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be replaced.") { RemotePath = destination };
        }
        var moving = await FindAsync(source, cancellationToken).ConfigureAwait(false) ?? throw StoreErrors.NotFound(source);
        if (source == destination)
        {
            return moving;
        }
        string destinationParent = RemotePath.GetParent(destination);
        if (destinationParent.Length > 0 && !await FolderExistsAsync(destinationParent, cancellationToken).ConfigureAwait(false))
        {
            throw await HeadAsync(Keys.File(destinationParent), cancellationToken).ConfigureAwait(false) is { IsClaim: false }
                ? StoreErrors.NotADirectory(destinationParent)
                : StoreErrors.NotFound(destinationParent);
        }
        bool folder = moving.Kind == ItemKind.Directory;
        if (folder && destination.StartsWith(source + "/", StringComparison.Ordinal))
        {
            throw AtomicRename.IntoItself(source, destination);
        }
        var existing = await FindAsync(destination, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            if (!replace)
            {
                throw StoreErrors.AlreadyExists(destination);
            }
            if (existing.Kind == ItemKind.Directory && !folder)
            {
                throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(destination)}' is a folder; a file never replaces a folder.") { RemotePath = destination };
            }
            if (existing.Kind == ItemKind.File && folder)
            {
                throw new FtpException(FtpStatus.NotADirectory, $"'{RemotePath.ToDisplay(destination)}' is a file; a folder never replaces a file.") { RemotePath = destination };
            }
            if (folder && await HasContentAsync(destination, cancellationToken).ConfigureAwait(false))
            {
                throw new FtpException(FtpStatus.DirectoryNotEmpty, $"'{RemotePath.ToDisplay(destination)}' is a folder with content; nothing replaces it.") { RemotePath = destination };
            }
        }
        if (!folder)
        {
            // Without replace the name is claimed first, so a file another server puts there meanwhile is never replaced.
            if (!replace && !await Claims.TryClaimAsync(destination, cancellationToken).ConfigureAwait(false))
            {
                throw StoreErrors.AlreadyExists(destination);
            }
            await CopyAsync(Keys.File(source), Keys.File(destination), moving.Length, metadata: null, cancellationToken).ConfigureAwait(false);
            await _s3.DeleteObjectAsync(_bucket, Keys.File(source), cancellationToken).ConfigureAwait(false);
            return moving with { Path = destination };
        }
        await MoveTreeAsync(source, destination, cancellationToken).ConfigureAwait(false);
        return FolderEntry(destination);
    }

    /// <summary>Copies every key under the folder <paramref name="source"/> to <paramref name="destination"/> (its marker first), then deletes the old ones.</summary>
    private async Task MoveTreeAsync(string source, string destination, CancellationToken cancellationToken)
    {
        string fromKey = Keys.Folder(source);
        string toKey = Keys.Folder(destination);
        // The folder exists at the destination even when it is empty or its content moves slowly.
        await PutMarkerAsync(destination, conditional: false, cancellationToken).ConfigureAwait(false);
        var moved = new List<string>();
        await foreach (var page in _listing.ListPagesAsync(fromKey, delimiter: null, cancellationToken).ConfigureAwait(false))
        {
            var objects = page.S3Objects ?? [];
            await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = S3Listing.HeadParallelism, CancellationToken = cancellationToken }, async (o, token) =>
            {
                if (o.Key != fromKey)
                {
                    await CopyAsync(o.Key, toKey + o.Key.Substring(fromKey.Length), o.Size ?? 0, metadata: null, token).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            moved.AddRange(objects.Select(o => o.Key));
            if (moved.Count >= 1000)
            {
                await DeleteKeysAsync(moved, cancellationToken).ConfigureAwait(false);
                moved.Clear();
            }
        }
        await DeleteKeysAsync(moved, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> HasContentAsync(string folder, CancellationToken cancellationToken)
    {
        string key = Keys.Folder(folder);
        var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = key, MaxKeys = 2 }, cancellationToken).ConfigureAwait(false);
        return (page.S3Objects ?? []).Any(o => o.Key != key);
    }

    /// <summary>
    /// Copies an object (its metadata too, or <paramref name="metadata"/> instead); one past S3's single-copy limit is
    /// copied in parts. A copy onto a claim replaces it.
    /// </summary>
    internal async Task CopyAsync(string from, string to, long length, Dictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        if (length <= MaxCopySize)
        {
            var copy = new CopyObjectRequest
            {
                SourceBucket = _bucket,
                SourceKey = from,
                DestinationBucket = _bucket,
                DestinationKey = to,
                MetadataDirective = metadata is null ? S3MetadataDirective.COPY : S3MetadataDirective.REPLACE,
            };
            AddMetadata(copy.Metadata, metadata);
            await _s3.CopyObjectAsync(copy, cancellationToken).ConfigureAwait(false);
            return;
        }
        var initiate = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = to };
        AddMetadata(initiate.Metadata, metadata ?? await MetadataOfAsync(from, cancellationToken).ConfigureAwait(false));
        var upload = await _s3.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = await CopyPartsAsync(from, to, upload.UploadId, length, cancellationToken).ConfigureAwait(false);
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = _bucket, Key = to, UploadId = upload.UploadId, PartETags = parts }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortQuietlyAsync(to, upload.UploadId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Copies the first <paramref name="length"/> bytes of <paramref name="from"/> into the multipart upload
    /// <paramref name="uploadId"/> of <paramref name="to"/>, server-side, as its first parts of <see cref="CopyPartSize"/>
    /// (a whole number of upload parts, so a resumed upload still counts whole parts); returns them.
    /// </summary>
    internal async Task<List<PartETag>> CopyPartsAsync(string from, string to, string uploadId, long length, CancellationToken cancellationToken)
    {
        var parts = new List<PartETag>();
        for (long offset = 0; offset < length; offset += CopyPartSize)
        {
            var part = await _s3.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = _bucket,
                SourceKey = from,
                DestinationBucket = _bucket,
                DestinationKey = to,
                UploadId = uploadId,
                PartNumber = parts.Count + 1,
                FirstByte = offset,
                LastByte = Math.Min(length, offset + CopyPartSize) - 1,
            }, cancellationToken).ConfigureAwait(false);
            parts.Add(new PartETag(parts.Count + 1, part.ETag));
        }
        return parts;
    }

    private async Task<Dictionary<string, string>> MetadataOfAsync(string key, CancellationToken cancellationToken)
    {
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        return head.Metadata.Keys.ToDictionary(k => k, k => head.Metadata[k]);
    }

    internal static void AddMetadata(MetadataCollection target, Dictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var (name, value) in metadata)
        {
            target.Add(name, value);
        }
    }

    /// <summary>Aborts a multipart upload, ignoring failure (the sweep aborts what is left).</summary>
    internal async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or IOException or HttpRequestException or OperationCanceledException)
        {
            // Left for SweepPartialsAsync.
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes upload records (in progress or committed) older than <paramref name="maxAge"/>, except the record of an
    /// upload still receiving (a fresh live marker, <see cref="S3LiveUploads"/>), what a commit that died left in the
    /// server's own keys, stale live markers, and stale claims in the tree (a HEAD for each empty object); then aborts
    /// multipart uploads under the prefix started more than <paramref name="maxAge"/> ago, except one still receiving
    /// and a resumable one whose record is younger (written again by each resume, as a local partial's time is by each
    /// write).
    /// </remarks>
    public async Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        Live.SweptWith(maxAge);
        var now = _time.GetUtcNow();
        var (count, resumable, live) = await SweepKeysAsync(now, maxAge, cancellationToken).ConfigureAwait(false);
        var uploads = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = Keys.Base };
        do
        {
            var page = await _s3.ListMultipartUploadsAsync(uploads, cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                string? partial = upload.Key.StartsWith(Keys.Partials, StringComparison.Ordinal) ? upload.Key.Substring(Keys.Partials.Length) : null;
                bool kept = partial is not null
                    && (live.Contains(partial) || S3UploadRecords.NameOfPartial(partial) is { } name && resumable.Contains(name));
                if (!kept && upload.Initiated is { } initiated && now - new DateTimeOffset(initiated.ToUniversalTime()) >= maxAge)
                {
                    await AbortQuietlyAsync(upload.Key, upload.UploadId).ConfigureAwait(false);
                    count++;
                }
            }
            uploads.KeyMarker = page.IsTruncated == true ? page.NextKeyMarker : null;
            uploads.UploadIdMarker = page.IsTruncated == true ? page.NextUploadIdMarker : null;
        }
        while (uploads.KeyMarker is not null);
        return count;
    }

    /// <summary>
    /// The sweep's pass over the keys; returns how many it deleted, the names of the records of uploads in progress it
    /// kept (fresh, or of an upload still receiving), and the partial names of the uploads still receiving.
    /// </summary>
    private async Task<(int Count, HashSet<string> Resumable, HashSet<string> Live)> SweepKeysAsync(DateTimeOffset now, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        int count = 0;
        var resumable = new HashSet<string>(StringComparer.Ordinal);
        var live = new HashSet<string>(StringComparer.Ordinal);
        // Old records of uploads in progress: deleted after the listing, once every live marker (which may name one) is known.
        var oldRecords = new List<string>();
        await foreach (var page in _listing.ListPagesAsync(Keys.Base, delimiter: null, cancellationToken).ConfigureAwait(false))
        {
            var stale = new List<string>();
            foreach (var o in page.S3Objects ?? [])
            {
                var age = now - new DateTimeOffset((o.LastModified ?? DateTime.UtcNow).ToUniversalTime());
                if (o.Key.StartsWith(Keys.Uploads, StringComparison.Ordinal))
                {
                    if (age >= maxAge)
                    {
                        oldRecords.Add(o.Key);
                    }
                    else
                    {
                        resumable.Add(o.Key.Substring(Keys.Uploads.Length));
                    }
                }
                else if (o.Key.StartsWith(Keys.Committed, StringComparison.Ordinal))
                {
                    if (age >= maxAge)
                    {
                        stale.Add(o.Key);
                    }
                }
                else if (o.Key.StartsWith(Keys.Live, StringComparison.Ordinal))
                {
                    if (await Live.IsFreshAsync(o, now, maxAge, cancellationToken).ConfigureAwait(false))
                    {
                        live.Add(Live.PartialNameOf(o.Key));
                    }
                    else
                    {
                        stale.Add(o.Key);
                    }
                }
                else if (o.Key.StartsWith(Keys.Partials, StringComparison.Ordinal))
                {
                    // An upload assembled but never copied to its name (a server that died in the commit).
                    if (age >= maxAge)
                    {
                        stale.Add(o.Key);
                    }
                }
                else if (o.Size == 0 && !o.Key.EndsWith('/') && age >= Claims.StaleClaimAge
                    && await HeadAsync(o.Key, cancellationToken).ConfigureAwait(false) is { IsClaim: true })
                {
                    stale.Add(o.Key);
                }
            }
            await DeleteKeysAsync(stale, cancellationToken).ConfigureAwait(false);
            count += stale.Count;
        }
        var liveRecords = live.Select(S3UploadRecords.NameOfPartial).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var abandoned = new List<string>();
        foreach (string key in oldRecords)
        {
            string name = key.Substring(Keys.Uploads.Length);
            if (liveRecords.Contains(name))
            {
                resumable.Add(name);
            }
            else
            {
                abandoned.Add(key);
            }
        }
        await DeleteKeysAsync(abandoned, cancellationToken).ConfigureAwait(false);
        return (count + abandoned.Count, resumable, live);
    }

    /// <summary>What a path names: a file (not a claim), else a folder, else null.</summary>
    private async Task<RemoteEntry?> FindAsync(string normalized, CancellationToken cancellationToken)
    {
        if (normalized.Length == 0)
        {
            return FolderEntry(normalized);
        }
        if (await HeadAsync(Keys.File(normalized), cancellationToken).ConfigureAwait(false) is { IsClaim: false } head)
        {
            return FileEntry(normalized, head);
        }
        return await FolderExistsAsync(normalized, cancellationToken).ConfigureAwait(false) ? FolderEntry(normalized) : null;
    }

    /// <summary>Whether a folder exists: the root always; else its marker or any key below it.</summary>
    internal async Task<bool> FolderExistsAsync(string normalized, CancellationToken cancellationToken)
    {
        if (normalized.Length == 0)
        {
            return true;
        }
        var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = Keys.Folder(normalized), MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
        return page.S3Objects is { Count: > 0 };
    }

    /// <summary>An object's HEAD, or null when there is none.</summary>
    internal async Task<S3Head?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        GetObjectMetadataResponse head;
        try
        {
            head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        var modified = new DateTimeOffset((head.LastModified ?? DateTime.UtcNow).ToUniversalTime());
        var written = long.TryParse(head.Metadata[TimeMetadata], NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : modified;
        return new S3Head(head.ContentLength, written, modified, head.ETag, head.Metadata[ClaimMetadata] is { Length: > 0 });
    }

    internal static RemoteEntry FileEntry(string normalized, S3Head head) => new(normalized, ItemKind.File, head.Length, head.LastWriteTime);

    /// <summary>A folder's entry: S3 keeps no time for a prefix, so every folder shows the Unix epoch (docs/scale-out.md).</summary>
    internal static RemoteEntry FolderEntry(string normalized) => new(normalized, ItemKind.Directory, 0, DateTimeOffset.UnixEpoch);

    /// <inheritdoc />
    public void Dispose() => _s3.Dispose();
}
