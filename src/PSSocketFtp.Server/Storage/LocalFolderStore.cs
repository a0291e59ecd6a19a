using System.Text;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// The store as a local folder, over its parts: <see cref="RootJail"/> turns every remote path into a local one and
/// refuses what would leave the root or reach <c>.psftp</c>; <see cref="FolderListing"/> walks folders for LIST;
/// <see cref="LocalFolderUpload"/> writes an upload to <c>.psftp/partial</c> (<see cref="StateFolder"/>, the
/// <see cref="PartialUploads"/> registry) and moves it into place, without overwriting unless asked, only when complete.
/// </summary>
/// <remarks>
/// On Linux the store does not trust a check made on a path: a folder may be swapped for a link between the check and
/// the use. It opens the item (or the folder an item is created or deleted in) first, asks the kernel where that handle
/// really is (<c>/proc/self/fd</c>), and then works only through the handle (see <see cref="PinnedItem"/>). Elsewhere the
/// checks are made on the path just before its use (docs/security.md says what that leaves open).
/// </remarks>
internal sealed class LocalFolderStore : IFileStore
{
    private readonly RootJail _jail;
    private readonly StateFolder _state;
    private readonly PartialUploads _partials;
    private readonly FolderListing _listing;

    /// <summary>Opens (and creates when missing) the folder <paramref name="root"/>.</summary>
    public LocalFolderStore(string root, TimeProvider timeProvider)
    {
        _jail = new RootJail(root);
        _state = new StateFolder(_jail);
        _partials = new PartialUploads(_jail, _state, timeProvider);
        _listing = new FolderListing(_jail);
    }

    /// <summary>The full path of the root folder.</summary>
    public string Root => _jail.Root;

    /// <inheritdoc />
    public string Description => _jail.Root;

    /// <inheritdoc />
    public string? LocalFolder => _jail.Root;

    /// <inheritdoc />
    public IAsyncEnumerable<RemoteEntry> ListAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        var (normalized, full) = _jail.Resolve(path);
        var pinned = _jail.PinInside(full, normalized) ?? throw StoreErrors.NotFound(normalized);
        try
        {
            if (File.Exists(pinned.Path))
            {
                var entry = pinned.Describe(normalized);
                pinned.Dispose();
                return new[] { entry }.ToAsyncEnumerable();
            }
            if (!Directory.Exists(pinned.Path))
            {
                throw StoreErrors.NotFound(normalized);
            }
        }
        catch
        {
            pinned.Dispose();
            throw;
        }
        return _listing.List(normalized, pinned, recursive).ToAsyncEnumerable();
    }

    /// <inheritdoc />
    public Task<RemoteEntry> StatAsync(string path, CancellationToken cancellationToken)
    {
        var (normalized, full) = _jail.Resolve(path);
        using var pinned = _jail.PinInside(full, normalized) ?? throw StoreErrors.NotFound(normalized);
        return Task.FromResult(pinned.Describe(normalized));
    }

    /// <inheritdoc />
    public Task<FileDownload> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var (normalized, full) = _jail.Resolve(path);
        using var pinned = _jail.PinInside(full, normalized) ?? throw StoreErrors.NotFound(normalized);
        if (Directory.Exists(pinned.Path))
        {
            throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(normalized)}' is a folder.") { RemotePath = normalized };
        }
        pinned.CheckFileOrFolder(normalized);
        // Opened through the checked handle (on Linux, /proc/self/fd/N opens that very file again).
        // No FileStream buffer: the caller reads whole 256 KiB chunks straight into the outgoing pipe.
        var stream = new FileStream(pinned.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
        try
        {
            // The path was checked before the open; a folder on it may have been swapped for a link since. Nothing is read yet.
            if (PinnedItem.RealPathOf(stream.SafeFileHandle) is { } real && !_jail.IsServable(real))
            {
                throw _jail.Unservable(normalized, real);
            }
            var entry = new RemoteEntry(normalized, ItemKind.File, stream.Length, File.GetLastWriteTimeUtc(stream.SafeFileHandle));
            return Task.FromResult(new FileDownload(entry, stream));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IUploadSession> BeginUploadAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        var (folder, folderFull) = _jail.Resolve(request.Path);
        bool intoFolder = UploadTarget.NamesFolder(request, folder) || Directory.Exists(folderFull);
        string target = intoFolder ? UploadTarget.Into(request, folder) : folder;
        var (_, targetFull) = _jail.Resolve(target);
        _jail.CheckDestination(target, targetFull, request.Conflict);
        if (request.UploadId is { } id)
        {
            return await _partials.BeginResumableAsync(request, id, (partial, stream, held) => new LocalFolderUpload(_jail, _partials, target, request, partial, stream, held), cancellationToken).ConfigureAwait(false);
        }

        var (partial, stream) = await _partials.CreateAsync(cancellationToken).ConfigureAwait(false);
        return new LocalFolderUpload(_jail, _partials, target, request, partial, stream, held: 0);
    }

    /// <inheritdoc />
    public Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken) =>
        _partials.FindCommittedAsync(request, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        var (normalized, full) = _jail.Resolve(path);
        if (normalized.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be deleted.") { RemotePath = normalized };
        }
        // Work in the parent folder as it is now, whatever its path leads to later: the item is named inside that handle.
        using var parent = _jail.PinInside(Path.GetDirectoryName(full)!, RemotePath.GetParent(normalized)) ?? throw StoreErrors.NotFound(normalized);
        string item = _jail.ChildOf(parent, Path.GetFileName(full), normalized);
        var info = new FileInfo(item);
        if (info.LinkTarget is not null)
        {
            // Remove the link itself, never what it points to.
            info.Delete();
        }
        else if (Directory.Exists(item))
        {
            if (!recursive && Directory.EnumerateFileSystemEntries(item).Any())
            {
                throw new FtpException(FtpStatus.DirectoryNotEmpty, $"The folder '{RemotePath.ToDisplay(normalized)}' is not empty; delete it recursively.") { RemotePath = normalized };
            }
            if (!recursive)
            {
                // rmdir: a link put there meanwhile is not a folder and is refused.
                try
                {
                    Directory.Delete(item);
                }
                catch (IOException) when (Directory.Exists(item) && Directory.EnumerateFileSystemEntries(item).Any())
                {
                    // Another connection put something there since the check.
                    throw new FtpException(FtpStatus.DirectoryNotEmpty, $"The folder '{RemotePath.ToDisplay(normalized)}' is not empty; delete it recursively.") { RemotePath = normalized };
                }
            }
            else
            {
                await _partials.EnsureStateFoldersAsync(cancellationToken).ConfigureAwait(false);
                // Out of the tree first (rename moves a link as a link), then deleted where no request can reach it.
                string trashed = Path.Join(_state.Trash, Guid.NewGuid().ToString("N"));
                Directory.Move(item, trashed);
                if (new FileInfo(trashed).LinkTarget is not null)
                {
                    File.Delete(trashed);
                }
                else
                {
                    Directory.Delete(trashed, recursive: true);
                }
            }
        }
        else if (info.Exists)
        {
            info.Delete();
        }
        else
        {
            throw StoreErrors.NotFound(normalized);
        }
    }

    /// <inheritdoc />
    public Task<RemoteEntry> CreateFolderAsync(string path, bool existingOk, CancellationToken cancellationToken)
    {
        var (normalized, _) = _jail.Resolve(path);
        if (normalized.Length == 0)
        {
            return existingOk ? StatAsync(path, cancellationToken) : throw StoreErrors.AlreadyExists(normalized);
        }
        // The parents are made, and the folder named, inside the checked handle of each parent, as an upload makes its
        // folders: a folder swapped for a link on the way leads nowhere outside.
        using var parent = _jail.CreateFoldersPinned(RemotePath.GetParent(normalized));
        string folder = _jail.ChildOf(parent, RemotePath.GetName(normalized), normalized);
        // Whatever is there is pinned first, so that a link leading outside the root (or into .psftp) is refused as such
        // and never tells what it leads to.
        using (var existing = _jail.PinInside(folder, normalized))
        {
            if (existing is not null)
            {
                return Directory.Exists(existing.Path) && existingOk
                    ? Task.FromResult(existing.Describe(normalized))
                    : throw StoreErrors.AlreadyExists(normalized);
            }
        }
        if (new FileInfo(folder).LinkTarget is not null)
        {
            // A link that leads nowhere: the name is taken by something that is not a folder.
            throw StoreErrors.AlreadyExists(normalized);
        }
        // mkdir never follows a link put there meanwhile, so nothing is made outside; the pin refuses where it leads. A
        // folder another request made since the check above is that request's: this one hears AlreadyExists.
        bool made = AtomicMakeFolder.TryCreate(folder);
        using var pinned = _jail.PinInside(folder, normalized) ?? throw StoreErrors.NotFound(normalized);
        return made || (existingOk && Directory.Exists(pinned.Path))
            ? Task.FromResult(pinned.Describe(normalized))
            : throw StoreErrors.AlreadyExists(normalized);
    }

    /// <inheritdoc />
    public Task<RemoteEntry> RenameAsync(string path, string target, bool replace, CancellationToken cancellationToken)
    {
        var (source, sourceFull) = _jail.Resolve(path);
        var (destination, destinationFull) = _jail.Resolve(target);
        if (source.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be moved.") { RemotePath = source };
        }
        if (destination.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be replaced.") { RemotePath = destination };
        }
        // Both items are named inside the checked handles of their folders, as DELETE names its item: a folder swapped for
        // a link meanwhile leads nowhere outside, and the kernel moves a link as a link, never what it points to.
        using var sourceParent = _jail.PinInside(Path.GetDirectoryName(sourceFull)!, RemotePath.GetParent(source)) ?? throw StoreErrors.NotFound(source);
        string from = _jail.ChildOf(sourceParent, Path.GetFileName(sourceFull), source);
        var fromInfo = new FileInfo(from);
        string? link = fromInfo.LinkTarget;
        bool folder = link is null && Directory.Exists(from);
        if (link is null && !folder && !fromInfo.Exists)
        {
            throw StoreErrors.NotFound(source);
        }
        // A link is moved as a link, yet one that leads out of the root or into .psftp is refused as every request
        // refuses it, and so is such a link at the target: the answer never depends on where it leads.
        using (_jail.PinInside(from, source))
        {
        }
        if (source == destination)
        {
            using var same = _jail.PinInside(from, source) ?? throw StoreErrors.NotFound(source);
            return Task.FromResult(same.Describe(source));
        }
        string destinationParentPath = RemotePath.GetParent(destination);
        using var destinationParent = _jail.PinInside(Path.GetDirectoryName(destinationFull)!, destinationParentPath) ?? throw StoreErrors.NotFound(destinationParentPath);
        if (!Directory.Exists(destinationParent.Path))
        {
            throw StoreErrors.NotADirectory(destinationParentPath);
        }
        string to = _jail.ChildOf(destinationParent, Path.GetFileName(destinationFull), destination);
        using (_jail.PinInside(to, destination))
        {
        }
        string sourceReal = Path.Join(sourceParent.RealPath, Path.GetFileName(sourceFull));
        if (folder && (destinationParent.RealPath == sourceReal || destinationParent.RealPath.StartsWith(sourceReal + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            // rename(2) refuses it too (EINVAL); said first, in words.
            throw AtomicRename.IntoItself(source, destination);
        }
        if (link is not null && !Path.IsPathRooted(link) && !_jail.IsServable(Path.GetFullPath(Path.Join(destinationParent.RealPath, link))))
        {
            // A relative link leads somewhere else from its new folder: never to outside the root or into .psftp.
            throw _jail.Unservable(destination, Path.GetFullPath(Path.Join(destinationParent.RealPath, link)));
        }
        AtomicRename.Move(from, to, replace, source, destination);
        using var moved = _jail.PinInside(to, destination) ?? throw StoreErrors.NotFound(destination);
        return Task.FromResult(moved.Describe(destination));
    }

    /// <inheritdoc />
    public Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken) =>
        _partials.SweepAsync(maxAge, cancellationToken);

    /// <summary>
    /// The path <c>folder/stem_n.ext</c> for the upload <paramref name="target"/>. A name or path already at the protocol's
    /// limit gets a shorter stem, cut by whole characters (never inside a character's UTF-8 bytes, nor between a letter
    /// and its accent), so that the upload, whose body has arrived, is stored instead of refused for a name the client
    /// never sent. An extension too long to keep beside the counter counts as part of the stem.
    /// </summary>
    /// <exception cref="FtpException"><see cref="FtpStatus.AlreadyExists"/>: the folder's path leaves no room for the counter.</exception>
    internal static string DuplicateName(string target, int n)
    {
        string folder = RemotePath.GetParent(target);
        string name = RemotePath.GetName(target);
        string suffix = $"_{n}";
        int folderBytes = folder.Length == 0 ? 0 : Encoding.UTF8.GetByteCount(folder) + 1;
        int budget = Math.Min(ProtocolConstants.MaxNameBytes, ProtocolConstants.MaxPathBytes - folderBytes) - suffix.Length;
        if (budget < 0)
        {
            throw new FtpException(FtpStatus.AlreadyExists, $"'{RemotePath.ToDisplay(target)}' already exists, and its folder's path leaves no room for another name.") { RemotePath = target };
        }
        int dot = name.LastIndexOf('.');
        string stem = dot > 0 ? name.Substring(0, dot) : name;
        string extension = dot > 0 ? name.Substring(dot) : string.Empty;
        if (Encoding.UTF8.GetByteCount(extension) > budget)
        {
            (stem, extension) = (name, string.Empty);
        }
        budget -= Encoding.UTF8.GetByteCount(extension);
        var kept = new StringBuilder();
        var characters = System.Globalization.StringInfo.GetTextElementEnumerator(stem);
        while (characters.MoveNext())
        {
            string character = characters.GetTextElement();
            budget -= Encoding.UTF8.GetByteCount(character);
            if (budget < 0)
            {
                break;
            }
            kept.Append(character);
        }
        return RemotePath.Combine(folder, $"{kept}{suffix}{extension}");
    }
}
