using Amazon.Runtime;
using Amazon.S3.Model;

namespace PSSocketFtp.Server;

/// <summary>
/// Keeps an upload that is still receiving from looking abandoned to the sweep. The sweep judges a multipart upload by
/// its start (S3's <c>Initiated</c>) and a resumable one by its record, written when a try begins; a single try longer
/// than <c>PartialMaxAge</c> (a large file on a slow link) would lose its parts mid-transfer. So an upload running longer
/// than <see cref="RefreshInterval"/> puts a small <em>live marker</em> (<c>prefix/.psftp/live/&lt;partial name&gt;</c>)
/// and puts it again each interval, with the time of the store's clock in its metadata; the sweep keeps the multipart
/// upload, and the record it names, while the marker is younger than its age.
/// </summary>
/// <remarks>
/// A marker, not the record itself: writing the record again could overwrite the record of a newer try that just took
/// the id over (S3 has no conditional put on a changed object here), undoing the takeover.
/// </remarks>
internal sealed class S3LiveUploads(S3FileStore store)
{
    /// <summary>The longest time between two refreshes, whatever the sweep's age: one small PUT per upload this often.</summary>
    internal static readonly TimeSpan MaxRefreshInterval = TimeSpan.FromMinutes(10);

    // The age of the last sweep on this store (the server's PartialMaxAge; the sweeper runs at start), in ticks.
    private long _sweepAgeTicks = TimeSpan.FromHours(24).Ticks;

    /// <summary>
    /// How often a running upload refreshes its marker: a quarter of the sweep's age, so that a marker is never older
    /// than the age while its upload runs, and at most <see cref="MaxRefreshInterval"/>, which covers servers on one
    /// prefix with other ages down to four times it.
    /// </summary>
    internal TimeSpan RefreshInterval
    {
        get
        {
            var quarter = TimeSpan.FromTicks(Volatile.Read(ref _sweepAgeTicks) / 4);
            return quarter < MaxRefreshInterval ? quarter : MaxRefreshInterval;
        }
    }

    /// <summary>Remembers the sweep's age, which the store is not told otherwise (it is the server's setting).</summary>
    internal void SweptWith(TimeSpan maxAge) => Volatile.Write(ref _sweepAgeTicks, maxAge.Ticks);

    /// <summary>The marker's key of a multipart upload's partial key.</summary>
    private string MarkerKey(string partialKey) => store.Keys.Live + partialKey.Substring(store.Keys.Partials.Length);

    /// <summary>Puts (again) the marker of the multipart upload at <paramref name="partialKey"/>, dated now by the store's clock.</summary>
    internal async Task TouchAsync(string partialKey, CancellationToken cancellationToken)
    {
        var put = new PutObjectRequest { BucketName = store.Bucket, Key = MarkerKey(partialKey), InputStream = new MemoryStream([], writable: false) };
        put.Metadata.Add(S3FileStore.TimeMetadata, store.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await store.Client.PutObjectAsync(put, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the marker of an upload that ended; ignores failure (the sweep deletes it at its age).</summary>
    internal async Task ForgetAsync(string partialKey)
    {
        try
        {
            await store.Client.DeleteObjectAsync(store.Bucket, MarkerKey(partialKey)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or IOException or HttpRequestException or OperationCanceledException)
        {
            // Stale at the sweep's age.
        }
    }

    /// <summary>
    /// Whether the marker listed as <paramref name="marker"/> is younger than <paramref name="maxAge"/>: by the bucket's
    /// time, else (a HEAD) by the time written in it, which is the store's clock (the one the sweep's age is measured on).
    /// </summary>
    internal async Task<bool> IsFreshAsync(S3Object marker, DateTimeOffset now, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (now - new DateTimeOffset((marker.LastModified ?? DateTime.UtcNow).ToUniversalTime()) < maxAge)
        {
            return true;
        }
        return await store.HeadAsync(marker.Key, cancellationToken).ConfigureAwait(false) is { } head && now - head.LastWriteTime < maxAge;
    }

    /// <summary>The partial name (<c>&lt;guid&gt;</c> or <c>&lt;record name&gt;-&lt;guid&gt;</c>) a marker key stands for.</summary>
    internal string PartialNameOf(string markerKey) => markerKey.Substring(store.Keys.Live.Length);
}
