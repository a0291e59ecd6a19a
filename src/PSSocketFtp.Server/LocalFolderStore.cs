using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// The store as a local folder. Every path is normalized by <see cref="RemotePath"/>, then its full path must lie under
/// the root, and no symbolic link on the way may point outside it. Uploads go to <c>.psftp/partial</c> under the root
/// and are moved into place, without overwriting unless asked, only when complete.
/// </summary>
internal sealed class LocalFolderStore : IFileStore
{
    // Large writes: the body arrives in the pipe's small segments, the disk should see few big writes.
    private const int WriteBufferSize = 1024 * 1024;
    private const int MaxLinkDepth = 32;
    private const string PartialExtension = ".part";
    private const string MetadataExtension = ".json";
    private const string TemporaryExtension = ".tmp";
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string _root;
    private readonly string _rootPrefix;
    private readonly string _partialFolder;
    private readonly TimeProvider _timeProvider;
    // Partials of uploads still running, which the sweep must leave alone however slow their client is.
    private readonly ConcurrentDictionary<string, byte> _activePartials = new(StringComparer.Ordinal);
    private readonly string _doneFolder;
    // Guards _runningIds and every step that creates, takes over, commits, releases or sweeps a resumable partial.
    // Order: this lock, then an upload's own write lock; never the other way round.
    private readonly SemaphoreSlim _idLock = new(1, 1);
    private readonly Dictionary<string, Upload> _runningIds = new(StringComparer.Ordinal);

    /// <summary>Opens (and creates when missing) the folder <paramref name="root"/>.</summary>
    public LocalFolderStore(string root, TimeProvider timeProvider)
    {
        Directory.CreateDirectory(root);
        var rootInfo = new DirectoryInfo(Path.GetFullPath(root));
        // Compare against the real folder, so a root reached through a link still contains its own files.
        _root = Path.TrimEndingDirectorySeparator(rootInfo.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? rootInfo.FullName);
        _rootPrefix = _root + Path.DirectorySeparatorChar;
        _partialFolder = Path.Join(_root, RemotePath.ReservedRootName, "partial");
        Directory.CreateDirectory(_partialFolder);
        _doneFolder = Path.Join(_root, RemotePath.ReservedRootName, "done");
        Directory.CreateDirectory(_doneFolder);
        _timeProvider = timeProvider;
    }

    /// <summary>The full path of the root folder.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public IAsyncEnumerable<RemoteEntry> ListAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        var (normalized, full) = Resolve(path);
        if (File.Exists(full))
        {
            return new[] { ToEntry(normalized, new FileInfo(full)) }.ToAsyncEnumerable();
        }
        if (!Directory.Exists(full))
        {
            throw NotFound(normalized);
        }
        return ListFolder(normalized, new DirectoryInfo(full), recursive).ToAsyncEnumerable();
    }

    /// <inheritdoc />
    public Task<RemoteEntry> StatAsync(string path, CancellationToken cancellationToken)
    {
        var (normalized, full) = Resolve(path);
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        return info.Exists ? Task.FromResult(ToEntry(normalized, info)) : throw NotFound(normalized);
    }

    /// <inheritdoc />
    public Task<FileDownload> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var (normalized, full) = Resolve(path);
        if (Directory.Exists(full))
        {
            throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(normalized)}' is a folder.") { RemotePath = normalized };
        }
        // No FileStream buffer: the caller reads whole 256 KiB chunks straight into the outgoing pipe.
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
        try
        {
            var entry = new RemoteEntry(normalized, ItemKind.File, stream.Length, File.GetLastWriteTimeUtc(full));
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
        var (folder, folderFull) = Resolve(request.Path);
        bool intoFolder = folder.Length == 0 || request.Path.EndsWith('/') || request.Path.EndsWith('\\') || Directory.Exists(folderFull);
        string target = folder;
        if (intoFolder)
        {
            if (string.IsNullOrEmpty(request.FileName))
            {
                throw new FtpException(FtpStatus.InvalidPath, $"An upload into the folder '{RemotePath.ToDisplay(folder)}' needs a file name.") { RemotePath = folder };
            }
            RemotePath.CheckName(request.FileName);
            target = RemotePath.Combine(folder, request.FileName);
        }
        var (_, targetFull) = Resolve(target);
        CheckDestination(target, targetFull, request.Conflict);
        if (request.UploadId is { } id)
        {
            return await BeginResumableAsync(request, id, target, cancellationToken).ConfigureAwait(false);
        }

        string partial = Path.Join(_partialFolder, Guid.NewGuid().ToString("N") + PartialExtension);
        var stream = new FileStream(partial, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = WriteBufferSize,
            Options = FileOptions.Asynchronous,
        });
        _activePartials.TryAdd(partial, 0);
        return new Upload(this, target, request, partial, stream, held: 0);
    }

    /// <summary>
    /// Opens <c>&lt;id&gt;.part</c>: continued when its metadata matches the request, else emptied. Under the id lock, so
    /// that of two connections starting the same id one after the other, the later one owns it and the earlier one's
    /// writes have all reached the file (or failed) before the later one measures it.
    /// </summary>
    private async Task<IUploadSession> BeginResumableAsync(UploadRequest request, string id, string target, CancellationToken cancellationToken)
    {
        if (!UploadRequest.IsValidUploadId(id))
        {
            throw new ArgumentException($"'{id}' is not a valid upload id.", nameof(request));
        }
        string partial = Path.Join(_partialFolder, id + PartialExtension);
        string metadataPath = Path.Join(_partialFolder, id + MetadataExtension);
        var wanted = new PartialMetadata(request.Path, request.FileName, request.Length, request.Conflict, request.HashAlgorithm);
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_runningIds.Remove(id, out var running))
            {
                await running.TakeOverAsync().ConfigureAwait(false);
            }
            bool same = ReadJson(metadataPath, StoreJsonContext.Default.PartialMetadata) == wanted;
            var stream = new FileStream(partial, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                // Read too: a resumed upload's hash starts with the bytes already held.
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = WriteBufferSize,
                Options = FileOptions.Asynchronous,
            });
            Upload upload;
            try
            {
                long held = same ? Math.Min(stream.Length, request.Length) : 0;
                if (stream.Length != held)
                {
                    stream.SetLength(held);
                }
                if (!same)
                {
                    // After the truncation: a crash in between must not leave old bytes described by new values.
                    WriteJson(metadataPath, wanted, StoreJsonContext.Default.PartialMetadata);
                }
                stream.Position = held;
                upload = new Upload(this, target, request, partial, stream, held);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _runningIds[id] = upload;
            _activePartials.TryAdd(partial, 0);
            return upload;
        }
        finally
        {
            _idLock.Release();
        }
    }

    /// <inheritdoc />
    public Task<UploadResult?> FindCommittedAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!UploadRequest.IsValidUploadId(uploadId))
        {
            throw new ArgumentException($"'{uploadId}' is not a valid upload id.", nameof(uploadId));
        }
        return Task.FromResult(ReadJson(Path.Join(_doneFolder, uploadId), StoreJsonContext.Default.UploadResult));
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken)
    {
        var (normalized, full) = Resolve(path);
        if (normalized.Length == 0)
        {
            throw new FtpException(FtpStatus.InvalidPath, "The root folder cannot be deleted.") { RemotePath = normalized };
        }
        var info = new FileInfo(full);
        if (info.LinkTarget is not null)
        {
            // Remove the link itself, never what it points to.
            info.Delete();
        }
        else if (Directory.Exists(full))
        {
            if (!recursive && Directory.EnumerateFileSystemEntries(full).Any())
            {
                throw new FtpException(FtpStatus.DirectoryNotEmpty, $"The folder '{RemotePath.ToDisplay(normalized)}' is not empty; delete it recursively.") { RemotePath = normalized };
            }
            Directory.Delete(full, recursive);
        }
        else if (info.Exists)
        {
            info.Delete();
        }
        else
        {
            throw NotFound(normalized);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var cutoff = _timeProvider.GetUtcNow() - maxAge;
        int deleted = 0;
        // Under the id lock: a resumable partial is never deleted while an upload is taking it up again.
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var partials = new DirectoryInfo(_partialFolder);
            foreach (var file in partials.EnumerateFiles("*" + PartialExtension))
            {
                if (!_activePartials.ContainsKey(file.FullName) && file.LastWriteTimeUtc < cutoff)
                {
                    file.Delete();
                    File.Delete(Path.ChangeExtension(file.FullName, MetadataExtension));
                    deleted++;
                }
            }
            // Metadata is written once, so its age says nothing while its partial lives; alone, it is left over.
            foreach (var file in partials.EnumerateFiles())
            {
                if (!file.Name.EndsWith(PartialExtension, StringComparison.Ordinal) && file.LastWriteTimeUtc < cutoff
                    && !File.Exists(Path.ChangeExtension(file.FullName, PartialExtension)))
                {
                    file.Delete();
                }
            }
            foreach (var file in new DirectoryInfo(_doneFolder).EnumerateFiles())
            {
                if (file.LastWriteTimeUtc < cutoff)
                {
                    file.Delete();
                    deleted++;
                }
            }
        }
        finally
        {
            _idLock.Release();
        }
        return deleted;
    }

    private static T? ReadJson<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            // Missing or damaged (a crash while writing it): as if there were none.
            return null;
        }
    }

    /// <summary>Writes beside, then renames: a reader sees the old file or the whole new one.</summary>
    private static void WriteJson<T>(string path, T value, JsonTypeInfo<T> type)
    {
        string temporary = path + TemporaryExtension;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, type);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Normalizes a remote path and maps it into the root, refusing anything that would leave it.</summary>
    private (string Normalized, string FullPath) Resolve(string path)
    {
        string normalized = RemotePath.Normalize(path);
        string full = normalized.Length == 0 ? _root : Path.GetFullPath(Path.Join(_root, normalized.Replace('/', Path.DirectorySeparatorChar)));
        if (!IsInsideRoot(full))
        {
            throw OutsideRoot(normalized);
        }
        CheckLinks(full, normalized, depth: 0);
        return (normalized, full);
    }

    private bool IsInsideRoot(string full) =>
        string.Equals(Path.TrimEndingDirectorySeparator(full), _root, PathComparison) || full.StartsWith(_rootPrefix, PathComparison);

    /// <summary>Walks the path from the root and refuses it when a link on the way points outside the root.</summary>
    private void CheckLinks(string full, string normalized, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw OutsideRoot(normalized);
        }
        string current = _root;
        foreach (var segment in full.Substring(Math.Min(full.Length, _rootPrefix.Length)).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Join(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is null)
            {
                if (!info.Exists && !Directory.Exists(current))
                {
                    // Nothing below a missing item can be a link.
                    return;
                }
                continue;
            }
            string target = Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
            if (!IsInsideRoot(target))
            {
                throw OutsideRoot(normalized);
            }
            // The target's own path may pass through other links.
            CheckLinks(target, normalized, depth + 1);
        }
    }

    private IEnumerable<RemoteEntry> ListFolder(string normalized, DirectoryInfo folder, bool recursive)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        foreach (var child in folder.EnumerateFileSystemInfos("*", options).OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            string childPath = RemotePath.Combine(normalized, child.Name);
            FileSystemInfo resolved;
            RemoteEntry entry;
            try
            {
                // Fresh now, not as of when the folder was read: a file removed meanwhile fails here and is skipped.
                child.Refresh();
                if (!IsServable(normalized, child, out resolved))
                {
                    continue;
                }
                entry = ToEntry(childPath, resolved);
            }
            catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // Deleted or renamed by another session since the folder was read: it is simply no longer there.
                continue;
            }
            yield return entry;
            // Linked folders are listed but not entered: a link to an ancestor would never end.
            if (recursive && resolved is DirectoryInfo subfolder && child.LinkTarget is null)
            {
                foreach (var descendant in ListFolder(childPath, subfolder, recursive))
                {
                    yield return descendant;
                }
            }
        }
    }

    /// <summary>Whether a folder's child may be shown: not the server's own folder, a name the protocol can address, no link out of the root.</summary>
    private bool IsServable(string folder, FileSystemInfo child, out FileSystemInfo resolved)
    {
        resolved = child;
        if (folder.Length == 0 && string.Equals(child.Name, RemotePath.ReservedRootName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            RemotePath.CheckName(child.Name);
        }
        catch (FtpException)
        {
            return false;
        }
        if (child.LinkTarget is null)
        {
            return true;
        }
        var target = child.ResolveLinkTarget(returnFinalTarget: true);
        if (target is null || !target.Exists || !IsInsideRoot(Path.GetFullPath(target.FullName)))
        {
            return false;
        }
        resolved = target;
        return true;
    }

    /// <summary>Refuses an upload destination that cannot become a file now (checked again at commit).</summary>
    private void CheckDestination(string target, string targetFull, ConflictMode conflict)
    {
        if (Directory.Exists(targetFull))
        {
            throw new FtpException(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(target)}' is a folder; an upload never replaces a folder.") { RemotePath = target };
        }
        for (string parent = RemotePath.GetParent(target); parent.Length > 0; parent = RemotePath.GetParent(parent))
        {
            if (File.Exists(Path.Join(_root, parent)))
            {
                throw new FtpException(FtpStatus.NotADirectory, $"'{RemotePath.ToDisplay(parent)}' is a file, not a folder.") { RemotePath = parent };
            }
        }
        if (conflict == ConflictMode.Fail && File.Exists(targetFull))
        {
            throw AlreadyExists(target);
        }
    }

    private static RemoteEntry ToEntry(string normalized, FileSystemInfo info) => info is FileInfo file
        ? new RemoteEntry(normalized, ItemKind.File, file.Length, file.LastWriteTimeUtc)
        : new RemoteEntry(normalized, ItemKind.Directory, 0, info.LastWriteTimeUtc);

    private static FtpException NotFound(string normalized) =>
        new(FtpStatus.NotFound, $"'{RemotePath.ToDisplay(normalized)}' does not exist.") { RemotePath = normalized };

    private static FtpException AlreadyExists(string normalized) =>
        new(FtpStatus.AlreadyExists, $"'{RemotePath.ToDisplay(normalized)}' already exists.") { RemotePath = normalized };

    private static FtpException OutsideRoot(string normalized) =>
        new(FtpStatus.InvalidPath, $"'{RemotePath.ToDisplay(normalized)}' leads outside the server's root.") { RemotePath = normalized };

    /// <summary>
    /// One upload: a hidden partial file until commit. A resumable one (with an id) writes under its own lock, so that a
    /// takeover can wait for a write in progress and then close the file; from then on its writes and commit fail.
    /// </summary>
    private sealed class Upload(LocalFolderStore store, string target, UploadRequest request, string partial, FileStream stream, long held) : IUploadSession
    {
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private long _written = held;
        private bool _closed;
        private bool _committed;
        private bool _takenOver;
        private bool _released;

        private string? Id => request.UploadId;

        private string MetadataPath => Path.ChangeExtension(partial, MetadataExtension);

        public long Offset { get; } = held;

        public async Task HashPrefixAsync(TransferHash hash, CancellationToken cancellationToken)
        {
            if (Offset == 0)
            {
                return;
            }
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfTakenOver();
                stream.Position = 0;
                await hash.AppendAsync(stream, Offset, cancellationToken).ConfigureAwait(false);
                stream.Position = Offset;
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (Id is null)
            {
                _written += data.Length;
                return stream.WriteAsync(data, cancellationToken);
            }
            return WriteLockedAsync(data, cancellationToken);
        }

        private async ValueTask WriteLockedAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfTakenOver();
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                _written += data.Length;
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public async Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken)
        {
            if (Id is not { } id)
            {
                return await CommitUnlockedAsync(hash, cancellationToken).ConfigureAwait(false);
            }
            await store._idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    ThrowIfTakenOver();
                    var result = await CommitUnlockedAsync(hash, cancellationToken).ConfigureAwait(false);
                    // The record first: a crash before it only costs the retry its shortcut; the metadata then is stray.
                    WriteJson(Path.Join(store._doneFolder, id), result, StoreJsonContext.Default.UploadResult);
                    File.Delete(MetadataPath);
                    Release(id);
                    return result;
                }
                finally
                {
                    _writeLock.Release();
                }
            }
            finally
            {
                store._idLock.Release();
            }
        }

        private async Task<UploadResult> CommitUnlockedAsync(byte[]? hash, CancellationToken cancellationToken)
        {
            // Closing flushes the last buffered bytes, where a full disk may show up.
            _closed = true;
            await stream.DisposeAsync().ConfigureAwait(false);
            // The tree may have changed while the body arrived: check everything again.
            var (_, targetFull) = store.Resolve(target);
            store.CheckDestination(target, targetFull, request.Conflict);
            Directory.CreateDirectory(Path.GetDirectoryName(targetFull)!);
            var result = request.Conflict switch
            {
                ConflictMode.Overwrite => MoveOverwriting(targetFull),
                ConflictMode.Fail => MoveOrFail(targetFull),
                _ => MoveUnderFreeName(),
            };
            _committed = true;
            return result with { HashAlgorithm = hash is null ? null : request.HashAlgorithm, Hash = hash };
        }

        /// <summary>Another connection starts this id: wait for a write in progress, close the file, fail from now on. Under the id lock.</summary>
        public async Task TakeOverAsync()
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                _takenOver = true;
                await CloseAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        public async ValueTask DiscardAsync()
        {
            if (Id is not { } id)
            {
                await DisposeAsync().ConfigureAwait(false);
                return;
            }
            await store._idLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_takenOver)
                {
                    // The file is the new owner's now.
                    return;
                }
                await CloseAsync().ConfigureAwait(false);
                if (!_committed)
                {
                    File.Delete(partial);
                    File.Delete(MetadataPath);
                }
                Release(id);
            }
            finally
            {
                store._idLock.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Id is not { } id)
            {
                store._activePartials.TryRemove(partial, out _);
                await CloseAsync().ConfigureAwait(false);
                if (!_committed)
                {
                    File.Delete(partial);
                }
                return;
            }
            // Resumable: the partial file stays for the next try (or the sweep).
            await store._idLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!_takenOver)
                {
                    await CloseAsync().ConfigureAwait(false);
                    Release(id);
                }
            }
            finally
            {
                store._idLock.Release();
            }
        }

        /// <summary>Forgets this upload as the id's running one. Under the id lock.</summary>
        private void Release(string id)
        {
            if (_released)
            {
                // Once only: the same id (and partial path) may belong to a newer upload by now.
                return;
            }
            _released = true;
            if (store._runningIds.TryGetValue(id, out var running) && ReferenceEquals(running, this))
            {
                store._runningIds.Remove(id);
            }
            store._activePartials.TryRemove(partial, out _);
        }

        private async ValueTask CloseAsync()
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The flush failed (a full disk): what reached the file is still a correct prefix; a discarded body is not wanted.
            }
        }

        private void ThrowIfTakenOver()
        {
            if (_takenOver)
            {
                throw new FtpException(FtpStatus.AccessDenied, $"Another connection took over the upload '{Id}'.") { RemotePath = target };
            }
        }

        private UploadResult MoveOverwriting(string targetFull)
        {
            File.Move(partial, targetFull, overwrite: true);
            return new UploadResult(target, _written, Renamed: false);
        }

        private UploadResult MoveOrFail(string targetFull)
        {
            try
            {
                MoveWithoutReplacing(targetFull);
            }
            catch (IOException) when (File.Exists(targetFull))
            {
                throw AlreadyExists(target);
            }
            return new UploadResult(target, _written, Renamed: false);
        }

        /// <summary>
        /// The duplicate-name rule: <c>name.ext</c>, else <c>name_1.ext</c>, <c>name_2.ext</c>…; the no-overwrite move
        /// fails when another upload took the name first, so two finishing together never destroy each other.
        /// </summary>
        private UploadResult MoveUnderFreeName()
        {
            string folder = RemotePath.GetParent(target);
            string name = RemotePath.GetName(target);
            int dot = name.LastIndexOf('.');
            string stem = dot > 0 ? name.Substring(0, dot) : name;
            string extension = dot > 0 ? name.Substring(dot) : string.Empty;
            for (int n = 0; ; n++)
            {
                string candidate = n == 0 ? target : RemotePath.Combine(folder, $"{stem}_{n}{extension}");
                var (_, candidateFull) = store.Resolve(candidate);
                try
                {
                    MoveWithoutReplacing(candidateFull);
                    return new UploadResult(candidate, _written, Renamed: n > 0);
                }
                catch (IOException) when (File.Exists(candidateFull) || Directory.Exists(candidateFull))
                {
                    // Taken: try the next name.
                }
            }
        }

        /// <summary>
        /// Moves the partial to a name nobody has. File.Move(overwrite: false) checks and then renames on Unix, so two
        /// uploads finishing together could both pass the check; an exclusive create (O_EXCL, CREATE_NEW) claims the name
        /// atomically instead, and the rename then replaces only that claim.
        /// </summary>
        /// <exception cref="IOException">The name exists.</exception>
        private void MoveWithoutReplacing(string destination)
        {
            new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
            try
            {
                File.Move(partial, destination, overwrite: true);
            }
            catch
            {
                File.Delete(destination);
                throw;
            }
        }
    }
}

/// <summary>What a resumable partial file was started with; a resume must match it exactly.</summary>
internal sealed record PartialMetadata(string Path, string? FileName, long Length, ConflictMode Conflict, string? HashAlgorithm);

/// <summary>The store's own files, serialized without reflection.</summary>
[JsonSerializable(typeof(PartialMetadata))]
[JsonSerializable(typeof(UploadResult))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
