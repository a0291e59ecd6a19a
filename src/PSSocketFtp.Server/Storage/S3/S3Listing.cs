using System.Runtime.CompilerServices;
using Amazon.S3.Model;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// The S3 store's listings: a folder's children or a whole tree as entries, streamed a page of keys at a time, with the
/// server's own keys, claims and keys no path can name left out; and the one paginated listing of keys, which the
/// store's deletes, moves and sweep page through too.
/// </summary>
internal sealed class S3Listing(S3FileStore store)
{
    // HEADs for the times in a listing run this many at once (one per file: a listing carries no metadata).
    internal const int HeadParallelism = 16;

    private S3Keys Keys => store.Keys;

    /// <summary>One folder's children, a page (up to 1000 keys) at a time: a folder of millions streams in bounded memory.</summary>
    internal async IAsyncEnumerable<RemoteEntry> ListFolderAsync(string normalized, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string folderKey = Keys.Folder(normalized);
        await foreach (var page in ListPagesAsync(folderKey, "/", cancellationToken).ConfigureAwait(false))
        {
            var items = new List<(string Key, S3Object? File)>();
            foreach (string folder in page.CommonPrefixes ?? [])
            {
                items.Add((folder, null));
            }
            foreach (var file in page.S3Objects ?? [])
            {
                // The folder's own marker, and keys no path can name (written by other tools), are not listed.
                if (file.Key != folderKey && !file.Key.EndsWith('/'))
                {
                    items.Add((file.Key, file));
                }
            }
            items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            items.RemoveAll(i => (normalized.Length == 0 && Keys.IsState(i.Key)) || !IsNameable(Keys.PathOf(i.Key).Substring(normalized.Length == 0 ? 0 : normalized.Length + 1)));
            var files = await DescribeAsync(items.Where(i => i.File is not null).Select(i => i.File!).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var (key, file) in items)
            {
                if (file is null)
                {
                    yield return S3FileStore.FolderEntry(Keys.PathOf(key));
                }
                else if (files.TryGetValue(key, out var entry))
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>
    /// The pages of a listing of the keys under <paramref name="prefix"/> (one level with a <paramref name="delimiter"/>),
    /// as S3 hands them out: up to 1000 keys in memory at a time, the next page asked for only when this one is done.
    /// </summary>
    internal async IAsyncEnumerable<ListObjectsV2Response> ListPagesAsync(string prefix, string? delimiter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = store.Bucket, Prefix = prefix, Delimiter = delimiter };
        do
        {
            var page = await store.Client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            yield return page;
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (request.ContinuationToken is not null);
    }

    /// <summary>
    /// Everything below a folder, folders before their content: keys come in order, and all keys under one folder come
    /// together, so a stack of the folders entered says which folders a key brings that were not listed yet.
    /// </summary>
    internal async IAsyncEnumerable<RemoteEntry> ListTreeAsync(string normalized, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string folderKey = Keys.Folder(normalized);
        var open = new List<string>();
        await foreach (var page in ListPagesAsync(folderKey, delimiter: null, cancellationToken).ConfigureAwait(false))
        {
            var pending = new List<(string Path, S3Object? File)>();
            foreach (var file in page.S3Objects ?? [])
            {
                if (file.Key == folderKey || (normalized.Length == 0 && Keys.IsState(file.Key)))
                {
                    continue;
                }
                string relative = file.Key.Substring(folderKey.Length);
                bool marker = relative.EndsWith('/');
                string[] segments = relative.TrimEnd('/').Split('/');
                if (!Array.TrueForAll(segments, IsNameable))
                {
                    continue;
                }
                int folders = marker ? segments.Length : segments.Length - 1;
                int kept = 0;
                while (kept < open.Count && kept < folders && open[kept] == segments[kept])
                {
                    kept++;
                }
                open.RemoveRange(kept, open.Count - kept);
                for (int i = kept; i < folders; i++)
                {
                    open.Add(segments[i]);
                    pending.Add((RemotePath.Combine(normalized, string.Join('/', segments, 0, i + 1)), null));
                }
                if (!marker)
                {
                    pending.Add((Keys.PathOf(file.Key), file));
                }
            }
            var files = await DescribeAsync(pending.Where(p => p.File is not null).Select(p => p.File!).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var (path, file) in pending)
            {
                if (file is null)
                {
                    yield return S3FileStore.FolderEntry(path);
                }
                else if (files.TryGetValue(file.Key, out var entry))
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>
    /// The entries of listed files, by key: a HEAD each, for the last write time kept in metadata (a listing has none), a
    /// few at a time. Claims and files deleted meanwhile are left out.
    /// </summary>
    private async Task<Dictionary<string, RemoteEntry>> DescribeAsync(List<S3Object> files, CancellationToken cancellationToken)
    {
        var entries = new RemoteEntry?[files.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = HeadParallelism, CancellationToken = cancellationToken }, async (i, token) =>
        {
            if (await store.HeadAsync(files[i].Key, token).ConfigureAwait(false) is { IsClaim: false } head)
            {
                entries[i] = S3FileStore.FileEntry(Keys.PathOf(files[i].Key), head);
            }
        }).ConfigureAwait(false);
        var byKey = new Dictionary<string, RemoteEntry>(files.Count, StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            if (entries[i] is { } entry)
            {
                byKey[files[i].Key] = entry;
            }
        }
        return byKey;
    }

    /// <summary>Whether a path found in the bucket could be named by a request (other tools may write any key).</summary>
    private static bool IsNameable(string relative)
    {
        try
        {
            foreach (string segment in relative.Split('/'))
            {
                RemotePath.CheckName(segment);
            }
            return true;
        }
        catch (FtpException)
        {
            return false;
        }
    }
}
