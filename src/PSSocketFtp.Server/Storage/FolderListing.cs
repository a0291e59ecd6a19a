using System.IO.Enumeration;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// A folder's content as LIST shows it, read through the folder's pinned handle: only what the jail lets a request reach,
/// and only what STAT and DOWNLOAD will serve.
/// </summary>
internal sealed class FolderListing(RootJail jail, int sortLimit = FolderListing.DefaultSortLimit)
{
    /// <summary>
    /// The most names of one folder held in memory to list them by name (about 5 MB of names); a larger folder is listed
    /// in the file system's order as it is read, so that a folder of millions streams with bounded memory.
    /// </summary>
    public const int DefaultSortLimit = 65_536;

    private long _namesRead;

    /// <summary>How many names were read from folders so far, for tests: what the listing pulled ahead of what it sent.</summary>
    public long NamesRead => Interlocked.Read(ref _namesRead);

    /// <summary>
    /// The children of <paramref name="folder"/> (with <paramref name="recursive"/>, everything below it, folders before
    /// their content), named below <paramref name="normalized"/>, by name up to <see cref="DefaultSortLimit"/> children a
    /// folder (see <see cref="Names"/>); read as they are pulled, and disposes the folder when the listing ends.
    /// </summary>
    public IEnumerable<RemoteEntry> List(string normalized, PinnedItem folder, bool recursive)
    {
        using (folder)
        {
            foreach (var entry in ListFolder(normalized, folder, recursive))
            {
                yield return entry;
            }
        }
    }

    private IEnumerable<RemoteEntry> ListFolder(string normalized, PinnedItem folder, bool recursive)
    {
        foreach (string name in Names(folder.Path))
        {
            RemoteEntry? resolved;
            bool isLink;
            try
            {
                // Described now, not as of when the folder was read: a file removed meanwhile is simply no longer there.
                resolved = Servable(normalized, folder, name, out isLink);
                if (resolved is null)
                {
                    continue;
                }
            }
            catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }
            string childPath = resolved.Path;
            yield return resolved;
            // Linked folders are listed but not entered: a link to an ancestor would never end.
            if (recursive && resolved.Kind == ItemKind.Directory && !isLink)
            {
                // Entered through a checked handle: it may have become a link since it was described.
                PinnedItem? subfolder;
                try
                {
                    subfolder = jail.PinInside(Path.Join(folder.Path, name), childPath);
                }
                catch (FtpException)
                {
                    continue;
                }
                if (subfolder is null)
                {
                    continue;
                }
                using (subfolder)
                {
                    foreach (var entry in ListFolder(childPath, subfolder, recursive))
                    {
                        yield return entry;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The names in a folder: by name when there are at most <c>sortLimit</c> of them, else in the order the file system
    /// gives them, read as they are needed (the first <c>sortLimit</c> + 1 held, then one directory read at a time).
    /// </summary>
    private IEnumerable<string> Names(string folder)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        // Names only: each child is then described relative to the folder's handle, one statx a child, instead of a
        // FileSystemInfo whose stat, refresh and readlink each walk /proc/self/fd/N again (most of a listing's cost before).
        using var names = new FileSystemEnumerable<string>(folder, (ref FileSystemEntry entry) => entry.FileName.ToString(), options).GetEnumerator();
        var first = new List<string>();
        while (first.Count <= sortLimit && names.MoveNext())
        {
            Interlocked.Increment(ref _namesRead);
            first.Add(names.Current);
        }
        if (first.Count <= sortLimit)
        {
            first.Sort(StringComparer.Ordinal);
        }
        for (int i = 0; i < first.Count; i++)
        {
            string name = first[i];
            // Let go of each name once it is sent: a deep recursive listing holds one such list per level.
            first[i] = null!;
            yield return name;
        }
        first.Clear();
        while (names.MoveNext())
        {
            Interlocked.Increment(ref _namesRead);
            yield return names.Current;
        }
    }

    /// <summary>
    /// A folder's child as LIST shows it, or null when it may not be shown: the server's own folder (judged by where the
    /// folder really is, so not through a link back to the root either), a name the protocol cannot address, a link out of
    /// the root, or what is neither a file nor a folder (STAT and DOWNLOAD refuse those).
    /// </summary>
    /// <exception cref="FileNotFoundException">The child is gone.</exception>
    private RemoteEntry? Servable(string folder, PinnedItem folderHandle, string name, out bool isLink)
    {
        isLink = false;
        string childPath = RemotePath.Combine(folder, name);
        if (!jail.IsServable(Path.Join(folderHandle.RealPath, name)))
        {
            return null;
        }
        try
        {
            RemotePath.CheckName(name);
        }
        catch (FtpException)
        {
            return null;
        }
        var (entry, link) = folderHandle.DescribeChild(name, childPath);
        isLink = link;
        if (!link)
        {
            return entry;
        }
        string childFull = Path.Join(folderHandle.Path, name);
        if (PinnedItem.IsSupported)
        {
            // Where the kernel says the link leads, not what its text reads as ("sub/../x" through a linked "sub").
            using var pinned = PinnedItem.Open(childFull);
            return pinned is not null && jail.IsServable(pinned.RealPath) ? pinned.TryDescribe(childPath) : null;
        }
        FileSystemInfo? target;
        try
        {
            target = new FileInfo(childFull).ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            return null;
        }
        return target is not null && target.Exists && jail.IsServable(Path.GetFullPath(target.FullName)) ? PinnedItem.ToEntry(childPath, target) : null;
    }
}
