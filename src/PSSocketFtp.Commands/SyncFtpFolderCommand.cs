using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using Remote = PSSocketFtp.Protocol.RemotePath;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Makes a remote folder hold a local folder's files, or the other way round (-Direction Download).</para>
/// <para type="description">Lists both sides whole (the server's in one request), then transfers the files that are new or changed on the source side
/// and skips the unchanged ones; with -Mirror it also deletes what the target side has and the source side lacks, asking first (ConfirmImpact High) unless -Force.
/// A file has changed when its size or its LastWriteTime (to the second: file systems and the wire keep different precisions) differs, or, with -Compare Hash,
/// when its XXH128 hash differs, computed on the server and locally so that nothing is downloaded to compare.
/// Transfers keep the LastWriteTime both ways, so a second run with nothing changed transfers nothing and reports every item Skip Same.
/// Folders are made, empty ones too. -Include and -Exclude take wildcards on paths relative to the two folders and apply to both sides.
/// Up to -ThrottleLimit requests are in flight at once; one record per item comes out, in the ordinal order of the relative paths (a folder before what is in it).
/// A sync cut half way (a lost connection, Ctrl+C) leaves no half file visible on either side: run it again and it finishes, resuming the cut transfers.</para>
/// </summary>
/// <example>
/// <para>Upload what is new or changed in a local folder.</para>
/// <code>Sync-FtpFolder ./logs /logs</code>
/// <para>Uploads ./logs/today.log (New) and ./logs/app.log (Changed: another size), and says Skip Same for what the server already holds. Files only the server has are left alone.</para>
/// </example>
/// <example>
/// <para>See what a mirror would do, without doing it.</para>
/// <code>Sync-FtpFolder ./logs /logs -Mirror -WhatIf</code>
/// <para>Prints each upload and each deletion (web.log and old.log, which only the server has) and changes nothing.</para>
/// </example>
/// <example>
/// <para>Keep a local copy of a remote folder, deleting what was deleted there.</para>
/// <code>Sync-FtpFolder ./mirror /logs -Direction Download -Mirror -Force</code>
/// <para>Creates ./mirror when missing. -Force answers the deletions' confirmation, for a script that runs unattended.</para>
/// </example>
/// <example>
/// <para>Compare by content, only the log files.</para>
/// <code>Sync-FtpFolder ./logs /logs -Compare Hash -Include *.log -Exclude old*</code>
/// <para>A pattern without '/' matches names at any depth; one with '/' (logs/*) matches the path below the two folders.</para>
/// </example>
/// <seealso cref="SendFtpFileCommand"/>
/// <seealso cref="ReceiveFtpFileCommand"/>
/// <seealso cref="GetFtpFileHashCommand"/>
/// <seealso cref="RemoveFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsData.Sync, "FtpFolder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FtpSyncAction))]
public sealed class SyncFtpFolderCommand : FtpSessionCmdlet
{
    private const string Activity = "Sync-FtpFolder";

    /// <summary>The local folder, relative to PowerShell's current location; created when missing with -Direction Download.</summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The local folder (created when missing with -Direction Download).")]
    [ValidateNotNullOrEmpty]
    public string LocalPath { get; set; } = string.Empty;

    /// <summary>The remote folder; created when missing with -Direction Upload.</summary>
    [Parameter(Mandatory = true, Position = 1, HelpMessage = "The remote folder (created when missing with -Direction Upload).")]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string RemotePath { get; set; } = string.Empty;

    /// <summary>Upload (the default) makes the remote folder hold the local one's files; Download makes the local folder hold the remote one's.</summary>
    [Parameter(HelpMessage = "Upload (the default): the server gets the local files. Download: the local folder gets the server's.")]
    [ValidateSet("Upload", "Download", IgnoreCase = true)]
    public string Direction { get; set; } = "Upload";

    /// <summary>Also deletes the files and folders that the target side has and the source side lacks (within -Include and -Exclude); asks first unless -Force.</summary>
    [Parameter(HelpMessage = "Also delete what the target side has and the source side lacks; asks first unless -Force.")]
    public SwitchParameter Mirror { get; set; }

    /// <summary>How a file found on both sides is judged changed: SizeAndTime (the default; LastWriteTime to the second) or Hash (XXH128, computed on each side; files of equal size only).</summary>
    [Parameter(HelpMessage = "How files are compared: SizeAndTime (the default, LastWriteTime to the second) or Hash (XXH128 on both sides, no download).")]
    [ValidateSet("SizeAndTime", "Hash", IgnoreCase = true)]
    public string Compare { get; set; } = "SizeAndTime";

    /// <summary>
    /// Only files that match one of these wildcards take part (folders are then made only as their files need them, and
    /// never deleted). A pattern without '/' matches a file's name at any depth (<c>*.log</c>); one with '/' matches its
    /// path below the two folders (<c>logs/*</c>). Case is ignored.
    /// </summary>
    [Parameter(HelpMessage = "Only files matching these wildcards (a name, or a relative path with '/') take part.")]
    [SupportsWildcards]
    [ValidateNotNull]
    public string[] Include { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Files and folders that match one of these wildcards (as with -Include) take no part, on either side: they are
    /// neither transferred nor deleted, nor is anything in an excluded folder, and a folder that holds one is never deleted whole.
    /// </summary>
    [Parameter(HelpMessage = "Files and folders matching these wildcards (a name, or a relative path with '/') take no part, on either side.")]
    [SupportsWildcards]
    [ValidateNotNull]
    public string[] Exclude { get; set; } = Array.Empty<string>();

    /// <summary>Deletes (-Mirror) without asking, for unattended runs; -WhatIf and an explicit -Confirm still apply.</summary>
    [Parameter(HelpMessage = "Delete (-Mirror) without asking for confirmation (-WhatIf and an explicit -Confirm still apply).")]
    public SwitchParameter Force { get; set; }

    /// <summary>How many requests to keep in flight on the session at once; the records still come out in their order.</summary>
    [Parameter(HelpMessage = "How many requests to keep in flight on the session at once")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 32;

    private Filter[] _include = Array.Empty<Filter>();
    private Filter[] _exclude = Array.Empty<Filter>();
    private bool _upload;
    private bool _askForChanges;

    private protected override int WindowSize => ThrottleLimit;

    /// <summary>Lists both sides, plans each item and starts its action; the window writes the records.</summary>
    protected override void ProcessRecord()
    {
        _upload = string.Equals(Direction, "Upload", StringComparison.OrdinalIgnoreCase);
        _include = Include.Select(pattern => new Filter(pattern)).ToArray();
        _exclude = Exclude.Select(pattern => new Filter(pattern)).ToArray();
        // Transfers and new folders change nothing that was there, so they ask only when asked to: -WhatIf, -Confirm, or
        // $ConfirmPreference at Medium or below. Deletions ask as ConfirmImpact High says (see ConfirmedOrForced).
        _askForChanges = WhatIfOn || IsSwitchOn("Confirm")
            || GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && preference <= ConfirmImpact.Medium;
        Try(LocalPath, Sync);
    }

    private void Sync()
    {
        string local = ResolveLocalPath(LocalPath);
        string prefix = Remote.Normalize(RemotePath);
        string remoteRoot = Remote.ToDisplay(prefix);
        var source = new SortedDictionary<string, Item>(StringComparer.Ordinal);
        var target = new SortedDictionary<string, Item>(StringComparer.Ordinal);
        var localItems = ListLocal(local);
        var remoteItems = ListRemote(prefix);
        foreach (var (side, items) in new[] { (_upload ? source : target, localItems), (_upload ? target : source, remoteItems) })
        {
            foreach (var item in items)
            {
                side[item.Relative] = item;
            }
        }
        var shielded = Shielded(target.Values);
        var keys = source.Keys.Union(target.Keys).Where(key => InScope(key, (source.TryGetValue(key, out var item) ? item : target[key]).IsDirectory)).ToList();
        var changedByHash = string.Equals(Compare, "Hash", StringComparison.OrdinalIgnoreCase) ? DifferByHash(keys, source, target, local, prefix) : null;
        // A folder before what is in it: sorted as the records show them, a folder's path ending with '/'.
        var ordered = keys.Select(key => (Key: key, Shown: (source.TryGetValue(key, out var item) ? item : target[key]).IsDirectory ? key + "/" : key))
            .OrderBy(entry => entry.Shown, StringComparer.Ordinal).ToList();
        WriteVerbose($"Syncing '{local}' {(_upload ? "to" : "from")} '{remoteRoot}': {source.Count} items on the source side, {target.Count} on the target side, {ordered.Count} within -Include and -Exclude.");
        string? deletedFolder = null;
        Task<object?>? deletion = null;
        foreach (var (key, shown) in ordered)
        {
            source.TryGetValue(key, out var from);
            target.TryGetValue(key, out var to);
            var paths = new Paths(key, System.IO.Path.Combine(local, key.Replace('/', System.IO.Path.DirectorySeparatorChar)), Remote.ToDisplay(Remote.Combine(prefix, key)));
            Try(shown, () =>
            {
                if (deletedFolder is not null && key.StartsWith(deletedFolder + "/", StringComparison.Ordinal))
                {
                    // Deleted with its folder: reported once the folder's deletion succeeded, and not at all under -WhatIf.
                    if (deletion is not null)
                    {
                        ReportAfter(deletion, shown, Record(paths, to!, FtpSyncOperation.Delete, FtpSyncReason.Extra));
                    }
                    return;
                }
                if (from is null)
                {
                    if (Mirror && DeleteExtra(paths, to!, shielded, out deletion))
                    {
                        deletedFolder = key;
                    }
                    return;
                }
                if (to is not null && to.IsDirectory != from.IsDirectory)
                {
                    throw new FtpCmdletException("SyncTypeConflict", ErrorCategory.InvalidType, $"'{key}' is a {(from.IsDirectory ? "folder" : "file")} on the source side and a {(to.IsDirectory ? "folder" : "file")} on the target side; delete or rename one of them.");
                }
                if (to is not null && (from.IsDirectory || !Changed(key, from, to, changedByHash)))
                {
                    Start(shown, null, _ => Task.CompletedTask, Record(paths, from, FtpSyncOperation.Skip, FtpSyncReason.Same));
                }
                else
                {
                    Copy(paths, from, to is null ? FtpSyncReason.New : FtpSyncReason.Changed);
                }
            });
        }
    }

    /// <summary>The local folder's items below it; none when it is missing and a download is to create it.</summary>
    private List<Item> ListLocal(string local)
    {
        if (File.Exists(local))
        {
            throw new FtpCmdletException("NotADirectory", ErrorCategory.InvalidType, $"The local path '{local}' is a file; Sync-FtpFolder syncs folders.");
        }
        var items = new List<Item>();
        if (!Directory.Exists(local))
        {
            if (_upload)
            {
                throw new FtpCmdletException("LocalItemNotFound", ErrorCategory.ObjectNotFound, $"The local folder '{local}' does not exist.");
            }
            if (Changing(local, "Create folder"))
            {
                Directory.CreateDirectory(local);
            }
            return items;
        }
        var pending = new Stack<(DirectoryInfo Folder, string Relative)>();
        pending.Push((new DirectoryInfo(local), string.Empty));
        while (pending.Count > 0)
        {
            var (folder, relative) = pending.Pop();
            foreach (var entry in folder.GetFileSystemInfos())
            {
                string path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if (entry is DirectoryInfo directory)
                {
                    if ((directory.Attributes & FileAttributes.ReparsePoint) != 0)
                    {
                        WriteWarning($"Skipped '{directory.FullName}': it is a link to a folder, and links to folders are not followed (a loop would never end).");
                        continue;
                    }
                    items.Add(new Item(path, IsDirectory: true, 0, default));
                    pending.Push((directory, path));
                }
                else if (!FtpSession.IsPartialFileName(entry.Name))
                {
                    items.Add(new Item(path, IsDirectory: false, ((FileInfo)entry).Length, entry.LastWriteTimeUtc));
                }
            }
        }
        return items;
    }

    /// <summary>The remote folder's items below it, in one LIST request; none when it is missing and an upload is to create it.</summary>
    private List<Item> ListRemote(string prefix)
    {
        if (prefix.Length > 0)
        {
            FtpItem? root;
            try
            {
                root = Call(token => CurrentSession.GetItemAsync(prefix, token));
            }
            catch (FtpException e) when (e.Status == FtpStatus.NotFound && _upload)
            {
                root = null;
            }
            if (root is null)
            {
                if (Changing(Remote.ToDisplay(prefix), "Create folder"))
                {
                    Call(token => CurrentSession.CreateFolderAsync(prefix, existingOk: true, token));
                }
                return new List<Item>();
            }
            if (!root.IsDirectory)
            {
                throw new FtpException(FtpStatus.NotADirectory, $"The remote path '{root.FullName}' is a file; Sync-FtpFolder syncs folders.") { RemotePath = RemotePath };
            }
        }
        var listed = Call(token => CurrentSession.ListAsync(prefix, recurse: true, token));
        return listed.Select(item => new Item(RelativeTo(prefix, item), item.IsDirectory, item.Length, item.LastWriteTimeUtc)).ToList();
    }

    private bool InScope(string relative, bool isDirectory)
    {
        // An excluded folder takes everything in it along.
        for (int slash = relative.IndexOf('/'); slash >= 0; slash = relative.IndexOf('/', slash + 1))
        {
            if (Matches(_exclude, relative.Substring(0, slash)))
            {
                return false;
            }
        }
        if (Matches(_exclude, relative))
        {
            return false;
        }
        return _include.Length == 0 || !isDirectory && Matches(_include, relative);
    }

    private static bool Matches(Filter[] filters, string relative)
    {
        foreach (var filter in filters)
        {
            if (filter.IsMatch(relative))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The target's folders that hold something out of scope: -Mirror never deletes them whole.</summary>
    private HashSet<string> Shielded(IEnumerable<Item> targetItems)
    {
        var shielded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in targetItems)
        {
            if (!InScope(item.Relative, item.IsDirectory))
            {
                for (int slash = item.Relative.LastIndexOf('/'); slash > 0 && shielded.Add(item.Relative.Substring(0, slash)); slash = item.Relative.LastIndexOf('/', slash - 1))
                {
                }
            }
        }
        return shielded;
    }

    private static bool Changed(string key, Item from, Item to, HashSet<string>? changedByHash) =>
        from.Length != to.Length
        || (changedByHash is null
            // Whole seconds: NTFS keeps 100 ns, ext4 1 ns, the wire 1 ms, FAT 2 s would still differ.
            ? from.LastWriteTimeUtc.Ticks / TimeSpan.TicksPerSecond != to.LastWriteTimeUtc.Ticks / TimeSpan.TicksPerSecond
            : changedByHash.Contains(key));

    /// <summary>
    /// The files on both sides of equal length whose XXH128 differs: the server hashes its copy, this side its own, up
    /// to -ThrottleLimit at once. A file that cannot be hashed on either side counts as changed: its transfer then says why.
    /// </summary>
    private HashSet<string> DifferByHash(List<string> keys, IDictionary<string, Item> source, IDictionary<string, Item> target, string local, string prefix)
    {
        var pairs = keys.Where(key => source.TryGetValue(key, out var from) && target.TryGetValue(key, out var to) && !from.IsDirectory && !to.IsDirectory && from.Length == to.Length).ToList();
        var session = CurrentSession;
        var different = Call(async token =>
        {
            using var gate = new SemaphoreSlim(ThrottleLimit);
            var compared = await Task.WhenAll(pairs.Select(async key =>
            {
                await gate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    var remote = session.GetFileHashAsync(Remote.Combine(prefix, key), FtpHashAlgorithm.XxHash128, token);
                    string localHash = await Task.Run(() => HashLocalAsync(System.IO.Path.Combine(local, key.Replace('/', System.IO.Path.DirectorySeparatorChar)), token), token).ConfigureAwait(false);
                    return (await remote.ConfigureAwait(false)).Hash == localHash ? null : key;
                }
                catch (Exception e) when (e is FtpException or IOException or UnauthorizedAccessException)
                {
                    return key;
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
            return new HashSet<string>(compared.Where(key => key is not null).Select(key => key!), StringComparer.Ordinal);
        });
        WriteVerbose($"Compared {pairs.Count} files of equal length by XXH128 on both sides: {different.Count} differ.");
        return different;
    }

    private static async Task<string> HashLocalAsync(string path, CancellationToken token)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return TransferHash.ToHex(await TransferHash.ComputeAsync(FtpHashAlgorithm.XxHash128, stream, stream.Length, token).ConfigureAwait(false));
    }

    /// <summary>Makes a new folder on the target side, or starts a file's transfer, once confirmed.</summary>
    private void Copy(Paths paths, Item from, FtpSyncReason reason)
    {
        var operation = _upload ? FtpSyncOperation.Upload : FtpSyncOperation.Download;
        if (from.IsDirectory)
        {
            string folder = _upload ? paths.Remote : paths.Local;
            if (Changing(folder, "Create folder"))
            {
                var record = Record(paths, from, operation, reason);
                if (_upload)
                {
                    Start(paths.Shown(true), $"Made the folder '{paths.Remote}' (or it was there).", token => CurrentSession.CreateFolderAsync(paths.Remote, existingOk: true, token), record);
                }
                else
                {
                    Directory.CreateDirectory(paths.Local);
                    Start(paths.Shown(true), $"Made the folder '{paths.Local}'.", _ => Task.CompletedTask, record);
                }
            }
            return;
        }
        string shown = paths.Shown(false);
        if (_upload)
        {
            // Into its folder with a trailing '/', which the server creates when missing, so no upload waits for a MKDIR.
            string into = Remote.ToDisplay(Remote.GetParent(Remote.Normalize(paths.Remote))).TrimEnd('/') + "/";
            if (Changing(paths.Local, $"Upload to {into} ({reason})"))
            {
                StartTransfer(shown, Activity, $"{paths.Local} → {paths.Remote}", (progress, token) => CurrentSession.UploadFileAsync(paths.Local, into, ConflictMode.Overwrite, FtpHashAlgorithm.XxHash128, progress, token),
                    result => Record(paths, from, operation, reason, result.Length));
            }
        }
        else if (Changing(paths.Remote, $"Download to {paths.Local} ({reason})"))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(paths.Local)!);
            StartTransfer(shown, Activity, $"{paths.Remote} → {paths.Local}", (progress, token) => CurrentSession.DownloadFileAsync(paths.Remote, paths.Local, overwrite: true, FtpHashAlgorithm.XxHash128, progress, token),
                result => Record(paths, from, operation, reason, result.Length));
        }
    }

    /// <summary>
    /// Deletes an item only the target side has, once confirmed (ConfirmImpact High, or -Force). A folder that holds
    /// nothing out of scope goes whole, in one request (true, with its task: what is in it is reported after it); one
    /// that does is kept, and the extra files in it are deleted one by one.
    /// </summary>
    private bool DeleteExtra(Paths paths, Item extra, HashSet<string> shielded, out Task<object?>? deletion)
    {
        deletion = null;
        if (extra.IsDirectory && shielded.Contains(paths.Relative))
        {
            WriteVerbose($"Kept the folder '{paths.Relative}/' that only the target side has: it holds items outside -Include or -Exclude.");
            return false;
        }
        string target = _upload ? paths.Remote : paths.Local;
        if (!ConfirmedOrForced(Force, target, extra.IsDirectory ? "Remove with all content (-Mirror: Extra)" : "Remove (-Mirror: Extra)"))
        {
            // Declined, or -WhatIf: nothing in the folder is deleted either, nor asked about again.
            return extra.IsDirectory;
        }
        var record = Record(paths, extra, FtpSyncOperation.Delete, FtpSyncReason.Extra);
        deletion = StartCall(paths.Shown(extra.IsDirectory), $"Removed '{target}'{(extra.IsDirectory ? " with all its content" : "")}.", async token =>
        {
            if (_upload)
            {
                await CurrentSession.RemoveAsync(paths.Remote, recurse: extra.IsDirectory, token).ConfigureAwait(false);
            }
            else if (extra.IsDirectory)
            {
                Directory.Delete(paths.Local, recursive: true);
            }
            else
            {
                File.Delete(paths.Local);
            }
            return record;
        });
        return extra.IsDirectory;
    }

    /// <summary>Reports an item deleted with its folder once the folder's deletion succeeded; its failure was reported already.</summary>
    private void ReportAfter(Task<object?> deletion, string shown, FtpSyncAction record) =>
        StartCall(shown, null, async _ =>
        {
            try
            {
                await deletion.ConfigureAwait(false);
                return record;
            }
            catch (Exception)
            {
                return null;
            }
        });

    /// <summary>Whether a transfer or a new folder goes ahead: asked about only under -WhatIf, -Confirm or a low $ConfirmPreference.</summary>
    private bool Changing(string target, string action) => !_askForChanges || ShouldProcess(target, action);

    private static FtpSyncAction Record(Paths paths, Item item, FtpSyncOperation action, FtpSyncReason reason, long? length = null) =>
        new(paths.Relative, item.IsDirectory, action, reason, length ?? item.Length, paths.Local, paths.Remote);

    /// <summary>An item of one side: its path relative to the synced folder ('/' between segments), kind, length and time.</summary>
    private sealed record Item(string Relative, bool IsDirectory, long Length, DateTime LastWriteTimeUtc);

    /// <summary>Where an item is on each side.</summary>
    private sealed record Paths(string Relative, string Local, string Remote)
    {
        public string Shown(bool isDirectory) => isDirectory ? Relative + "/" : Relative;
    }

    /// <summary>An -Include or -Exclude wildcard: on the name without '/', else on the relative path.</summary>
    private sealed class Filter
    {
        private readonly WildcardPattern _pattern;
        private readonly bool _onPath;

        public Filter(string pattern)
        {
            string trimmed = pattern.Replace('\\', '/').Trim('/');
            _onPath = trimmed.IndexOf('/') >= 0;
            _pattern = new WildcardPattern(trimmed, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        }

        public bool IsMatch(string relative) => _pattern.IsMatch(_onPath ? relative : relative.Substring(relative.LastIndexOf('/') + 1));
    }
}
