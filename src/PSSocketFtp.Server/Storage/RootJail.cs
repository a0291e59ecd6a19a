using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// The root folder as a jail: the only code that turns a remote path into a local one. Every path is normalized by
/// <see cref="RemotePath"/>, then its full path must lie under the root, and no symbolic link on the way may point outside
/// it or into <c>.psftp</c>, the server's own folder, which no path reaches.
/// </summary>
/// <remarks>
/// On Linux the jail does not trust a check made on a path: a folder may be swapped for a link between the check and the
/// use. It opens the item (or the folder an item is created or deleted in) first, asks the kernel where that handle really
/// is, and the store then works only through the handle (see <see cref="PinnedItem"/>).
/// </remarks>
internal sealed class RootJail
{
    private const int MaxLinkDepth = 32;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string _root;

    private readonly string _rootPrefix;
    private readonly string _reserved;

    // The folder the last upload was committed into, open, with the lock its use takes (see FolderForCommit).
    private readonly Lock _lastFolderLock = new();
    private PinnedItem? _lastFolder;

    /// <summary>Opens (and creates when missing) the folder <paramref name="root"/>.</summary>
    public RootJail(string root)
    {
        Directory.CreateDirectory(root);
        var rootInfo = new DirectoryInfo(Path.GetFullPath(root));
        // Compare against the real folder, so a root reached through a link still contains its own files.
        _root = Path.TrimEndingDirectorySeparator(rootInfo.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? rootInfo.FullName);
        using (var pinned = PinnedItem.Open(_root))
        {
            // Where the kernel says the root is (a link among its ancestors too), as the real paths it is compared with.
            _root = Path.TrimEndingDirectorySeparator(pinned?.RealPath ?? _root);
        }
        _rootPrefix = _root + Path.DirectorySeparatorChar;
        _reserved = Path.Join(_root, RemotePath.ReservedRootName);
    }

    /// <summary>The full path of the root folder.</summary>
    public string Root => _root;

    /// <summary>The full path of the server's own folder, <c>.psftp</c> in the root.</summary>
    public string StateFolder => _reserved;

    /// <summary>Refuses every request, clearly, while the root is gone: "'/' does not exist" would blame the client.</summary>
    public void CheckRoot()
    {
        if (!Directory.Exists(_root))
        {
            throw new FtpException(
                FtpStatus.InternalError,
                "The server cannot reach its storage: its root folder is missing. The server's operator must restore it.",
                RootMissing());
        }
    }

    /// <summary>What the log tells the operator: the folder, as the server was started on it.</summary>
    public DirectoryNotFoundException RootMissing() => new($"The root folder '{_root}' does not exist or is not a folder.");

    /// <summary>Normalizes a remote path and maps it into the root, refusing anything that would leave it.</summary>
    public (string Normalized, string FullPath) Resolve(string path) => Resolve(path, out _);

    /// <summary>As <see cref="Resolve(string)"/>; <paramref name="real"/> is where the path leads, as far as it exists, its links resolved.</summary>
    public (string Normalized, string FullPath) Resolve(string path, out string real)
    {
        string normalized = RemotePath.Normalize(path);
        CheckRoot();
        string full = normalized.Length == 0 ? _root : Path.GetFullPath(Path.Join(_root, normalized.Replace('/', Path.DirectorySeparatorChar)));
        if (!IsInsideRoot(full))
        {
            throw OutsideRoot(normalized);
        }
        real = CheckLinks(full, normalized, depth: 0);
        return (normalized, full);
    }

    private bool IsInsideRoot(string full) =>
        string.Equals(Path.TrimEndingDirectorySeparator(full), _root, PathComparison) || full.StartsWith(_rootPrefix, PathComparison);
    /// <summary>
    /// Whether a request may reach this real path: inside the root, and not the server's own folder. The folder is named in
    /// any case, as <see cref="RemotePath"/> refuses it: past the root's own prefix only <c>.psftp</c> is compared.
    /// </summary>
    public bool IsServable(string full) =>
        IsInsideRoot(full)
        && !string.Equals(Path.TrimEndingDirectorySeparator(full), _reserved, StringComparison.OrdinalIgnoreCase)
        && !full.StartsWith(_reserved + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
    /// <summary>
    /// <paramref name="name"/> inside a pinned folder, refused when it is the server's own folder: checked on where the
    /// folder really is, so that a link back to the root (<c>self -&gt; .</c>) does not reach <c>.psftp</c> by another name.
    /// </summary>
    public string ChildOf(PinnedItem folder, string name, string normalized)
    {
        string real = Path.Join(folder.RealPath, name);
        return IsServable(real) ? Path.Join(folder.Path, name) : throw Unservable(normalized, real);
    }

    /// <summary>
    /// Opens the item at <paramref name="full"/> (following links) and checks where it really is; null when it does not
    /// exist. Use the result's <see cref="PinnedItem.Path"/> from then on: it stays on the item that was checked.
    /// </summary>
    public PinnedItem? PinInside(string full, string normalized)
    {
        // Where the kernel cannot say where an item is, the jail's own walk of its links does.
        var pinned = PinnedItem.IsSupported ? PinnedItem.Open(full) : PinnedItem.OpenUnpinned(full, CheckLinks(full, normalized, depth: 0));
        if (pinned is not null && !IsServable(pinned.RealPath))
        {
            pinned.Dispose();
            throw Unservable(normalized, pinned.RealPath);
        }
        return pinned;
    }

    /// <summary>
    /// Creates the folders of <paramref name="folder"/> (a normalized path) one at a time, each inside the checked handle of
    /// its parent, and returns the last one pinned: a link swapped in on the way leads nowhere outside.
    /// </summary>
    public PinnedItem CreateFoldersPinned(string folder)
    {
        var current = PinInside(_root, string.Empty) ?? throw StoreErrors.NotFound(string.Empty);
        string walked = string.Empty;
        try
        {
            foreach (var segment in folder.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                walked = RemotePath.Combine(walked, segment);
                string next = ChildOf(current, segment, walked);
                // Pinned first: a folder that is there already, as it mostly is, needs no mkdir (and no stat before it).
                var pinned = PinInside(next, walked);
                if (pinned is null)
                {
                    if (File.Exists(next))
                    {
                        // Said before CreateDirectory, which would fail on the file with an IOException that names no status.
                        throw StoreErrors.NotADirectory(walked);
                    }
                    Directory.CreateDirectory(next);
                    pinned = PinInside(next, walked) ?? throw StoreErrors.NotFound(walked);
                }
                current.Dispose();
                current = pinned;
                if (!Directory.Exists(current.Path))
                {
                    throw StoreErrors.NotADirectory(walked);
                }
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="CreateFoldersPinned"/>, for an upload's commit: the folder the last commit went into stays open, and
    /// when <paramref name="real"/> (where the caller's walk just found the folder) is where that handle still is, a
    /// duplicate of it stands for the walk (which opens and reads back the root and every folder on the way, about ten
    /// system calls, where this is three). A folder moved, deleted or swapped for a link since no longer reads back as
    /// <paramref name="real"/>, and is walked to again.
    /// </summary>
    public PinnedItem FolderForCommit(string folder, string real)
    {
        if (!PinnedItem.IsSupported)
        {
            return CreateFoldersPinned(folder);
        }
        lock (_lastFolderLock)
        {
            if (_lastFolder is { } last && string.Equals(last.RealPath, real, StringComparison.Ordinal) && last.DuplicateIfStillAt() is { } duplicate)
            {
                return duplicate;
            }
        }
        var pinned = CreateFoldersPinned(folder);
        if (pinned.DuplicateIfStillAt() is { } kept)
        {
            lock (_lastFolderLock)
            {
                _lastFolder?.Dispose();
                _lastFolder = kept;
            }
        }
        return pinned;
    }

    /// <summary>
    /// Walks the path from the root and refuses it when a link on the way points outside the root, or when the walk reaches
    /// the server's own folder by any route (<c>self/.psftp</c> through <c>self -&gt; .</c>).
    /// </summary>
    /// <returns>Where the path leads, as far as it exists, with its links resolved.</returns>
    private string CheckLinks(string full, string normalized, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw OutsideRoot(normalized);
        }
        // The path as written, for the file system to follow, and where it has led so far, for the checks.
        string current = _root;
        string real = _root;
        foreach (var segment in full.Substring(Math.Min(full.Length, _rootPrefix.Length)).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Join(current, segment);
            real = Path.Join(real, segment);
            // One system call for what is not a link, most of every path; a link (or an answer the probe cannot give)
            // goes the way below.
            var probe = PinnedItem.TryProbe(current);
            if (probe is PinnedItem.Probe.Present or PinnedItem.Probe.Missing)
            {
                if (!IsServable(real))
                {
                    throw Unservable(normalized, real);
                }
                if (probe == PinnedItem.Probe.Missing)
                {
                    // Nothing below a missing item can be a link.
                    return real;
                }
                continue;
            }
            var info = new FileInfo(current);
            if (info.LinkTarget is null)
            {
                if (!IsServable(real))
                {
                    throw Unservable(normalized, real);
                }
                if (!info.Exists && !Directory.Exists(current))
                {
                    // Nothing below a missing item can be a link.
                    return real;
                }
                continue;
            }
            string target;
            try
            {
                target = Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
            }
            catch (IOException)
            {
                // A loop of links leads nowhere.
                throw StoreErrors.NotFound(normalized);
            }
            if (!IsServable(target))
            {
                throw Unservable(normalized, target);
            }
            // The target's own path may pass through other links.
            real = CheckLinks(target, normalized, depth + 1);
        }
        return real;
    }

    /// <summary>Refuses an upload destination that cannot become a file now (checked again at commit).</summary>
    public void CheckDestination(string target, string targetFull, ConflictMode conflict)
    {
        if (Directory.Exists(targetFull))
        {
            throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(target)}' is a folder; an upload never replaces a folder.") { RemotePath = target };
        }
        for (string parent = RemotePath.GetParent(target); parent.Length > 0; parent = RemotePath.GetParent(parent))
        {
            if (File.Exists(Path.Join(_root, parent)))
            {
                throw StoreErrors.NotADirectory(parent);
            }
        }
        if (conflict == ConflictMode.Fail && File.Exists(targetFull))
        {
            throw StoreErrors.AlreadyExists(target);
        }
    }

    /// <summary>The refusal of a path that leads to <paramref name="real"/>: out of the root, or into the server's own folder.</summary>
    public FtpException Unservable(string normalized, string real) => IsInsideRoot(real)
        ? new(FtpStatus.InvalidPath, $"'{RemotePath.ToDisplay(normalized)}' leads into the server's own folder.") { RemotePath = normalized }
        : OutsideRoot(normalized);

    private static FtpException OutsideRoot(string normalized) =>
        new(FtpStatus.InvalidPath, $"'{RemotePath.ToDisplay(normalized)}' leads outside the server's root.") { RemotePath = normalized };
}
