using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace PSSocketFtp.Server;

/// <summary>
/// The S3 store's duplicate-name rule across servers: a name is taken by a put that succeeds only if no object has that
/// key (<c>If-None-Match: *</c>), either the file itself (a small upload) or an empty claim object that the file is then
/// copied onto (see <see cref="S3FileStore"/> for why). A claim left by a server that died mid-commit is stale after
/// <see cref="StaleClaimAge"/> and no longer holds its name.
/// </summary>
internal sealed class S3NameClaims(S3FileStore store, TimeSpan staleClaimAge)
{
    /// <summary>When a claim is stale: a commit copies for seconds, a minute for the largest files; this leaves a wide margin.</summary>
    internal static readonly TimeSpan DefaultStaleClaimAge = TimeSpan.FromMinutes(15);

    /// <summary>How old a claim must be before it counts as left by a dead server.</summary>
    internal TimeSpan StaleClaimAge { get; } = staleClaimAge;

    private IAmazonS3 S3 => store.Client;

    /// <summary>
    /// Takes the name <paramref name="normalized"/> for a file about to be copied there: an empty claim object, put only
    /// if no object has that key (<c>If-None-Match: *</c>, which decides between servers). False when the name is taken
    /// (a file, a fresh claim, or a folder).
    /// </summary>
    internal async Task<bool> TryClaimAsync(string normalized, CancellationToken cancellationToken) =>
        await TryPutNewAsync(normalized, ArraySegment<byte>.Empty, new Dictionary<string, string> { [S3FileStore.ClaimMetadata] = "1" }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Puts <paramref name="body"/> at <paramref name="normalized"/> only if no object has that key; a stale claim there
    /// (a server that died mid-commit) is deleted and the put tried once more. False when the name is taken.
    /// </summary>
    internal async Task<bool> TryPutNewAsync(string normalized, ArraySegment<byte> body, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (await store.FolderExistsAsync(normalized, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        string key = store.Keys.File(normalized);
        for (int attempt = 0; ; attempt++)
        {
            var put = new PutObjectRequest
            {
                BucketName = store.Bucket,
                Key = key,
                InputStream = new MemoryStream(body.Array ?? [], body.Offset, body.Count, writable: false),
                IfNoneMatch = "*",
            };
            S3FileStore.AddMetadata(put.Metadata, metadata);
            try
            {
                await S3.PutObjectAsync(put, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                if (attempt > 0 || !await DeleteIfStaleClaimAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// Deletes the object at <paramref name="key"/> when it is a claim older than <see cref="StaleClaimAge"/>. Between the
    /// HEAD and the delete another server may do the same and claim anew, which this delete would then remove: a window
    /// of milliseconds, after a server died mid-commit (docs/scale-out.md).
    /// </summary>
    private async Task<bool> DeleteIfStaleClaimAsync(string key, CancellationToken cancellationToken)
    {
        if (await store.HeadAsync(key, cancellationToken).ConfigureAwait(false) is not { IsClaim: true } head || store.Time.GetUtcNow() - head.Modified < StaleClaimAge)
        {
            return false;
        }
        await S3.DeleteObjectAsync(store.Bucket, key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes a claim this server made and no longer needs (a commit that failed); ignores failure.</summary>
    internal async Task ReleaseClaimAsync(string normalized)
    {
        try
        {
            if (await store.HeadAsync(store.Keys.File(normalized), CancellationToken.None).ConfigureAwait(false) is { IsClaim: true })
            {
                await S3.DeleteObjectAsync(store.Bucket, store.Keys.File(normalized)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AmazonServiceException or IOException or HttpRequestException)
        {
            // Stale in time; the sweep or the next claim removes it.
        }
    }
}
