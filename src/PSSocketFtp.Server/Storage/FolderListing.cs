using System.IO.Enumeration;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// A folder's content as LIST shows it, read through the folder's pinned handle: only what the jail lets a request reach,
/// and only what STAT and DOWNLOAD will serve.
/// </summary>
internal sealed class FolderListing(RootJail jail)
{
    /// <summary>
    /// The children of <paramref name="folder"/> (with <paramref name="recursive"/>, everything below it, folders before
    /// their content), named below <paramref name="normalized"/>, by name; disposes the folder when the listing ends.
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
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        // Names only: each child is then described relative to the folder's handle, one statx a child, instead of a
        // FileSystemInfo whose stat, refresh and readlink each walk /proc/self/fd/N again (most of a listing's cost before).
        var names = new FileSystemEnumerable<string>(folder.Path, (ref FileSystemEntry entry) => entry.FileName.ToString(), options).ToList();
        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
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
