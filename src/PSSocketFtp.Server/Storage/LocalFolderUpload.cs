using System.Buffers;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// One upload: a hidden partial file until commit. A resumable one (with an id) writes under its own lock, so that a
/// takeover can wait for a write in progress and then close the file; from then on its writes and commit fail.
/// </summary>
internal sealed class LocalFolderUpload(RootJail jail, PartialUploads partials, string target, UploadRequest request, string partial, FileStream stream, long held) : IUploadSession
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<ReadOnlyMemory<byte>> _segments = [];
    private long _written = held;
    private bool _closed;
    private bool _committed;
    private bool _takenOver;
    private bool _released;

    private string? Id => request.UploadId;

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

    public ValueTask WriteAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        if (Id is null)
        {
            Write(data);
            return default;
        }
        return WriteLockedAsync(data, cancellationToken);
    }

    private async ValueTask WriteLockedAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfTakenOver();
            Write(data);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes at the end of what the file holds, all the payload's buffers in one system call (pwritev), from where they
    /// lie and on the calling thread: a write into the page cache takes less time than handing it to another thread (an
    /// asynchronous file write is a thread-pool hop on Linux), and needs no buffer of its own.
    /// </summary>
    private void Write(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            RandomAccess.Write(stream.SafeFileHandle, data.FirstSpan, _written);
        }
        else
        {
            // One list per upload, refilled each frame: the steady state allocates nothing. Emptied after the write,
            // as the transport reuses those buffers.
            foreach (var segment in data)
            {
                _segments.Add(segment);
            }
            try
            {
                RandomAccess.Write(stream.SafeFileHandle, _segments, _written);
            }
            finally
            {
                _segments.Clear();
            }
        }
        _written += data.Length;
    }

    public async Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken)
    {
        if (Id is not { } id)
        {
            return await CommitUnlockedAsync(hash, cancellationToken).ConfigureAwait(false);
        }
        await partials.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfTakenOver();
                var result = await CommitUnlockedAsync(hash, cancellationToken).ConfigureAwait(false);
                // A crash before the record only costs a retry its shortcut.
                partials.Record(id, request, result);
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
            partials.Exit();
        }
    }

    private async Task<UploadResult> CommitUnlockedAsync(byte[]? hash, CancellationToken cancellationToken)
    {
        // Closing flushes the last buffered bytes, where a full disk may show up.
        _closed = true;
        await using (stream.ConfigureAwait(false))
        {
            if (request.LastWriteTime is { } time)
            {
                // Through the handle and before the move: no path is followed, and the file never shows under its
                // name with the server's time. After the flush, since a write would set the time to now again.
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                File.SetLastWriteTimeUtc(stream.SafeFileHandle, time.UtcDateTime);
            }
        }
        if (!File.Exists(partial))
        {
            // The root was emptied while the body arrived: what came is gone, and "not found" would blame the client.
            throw new FtpException(
                FtpStatus.InternalError,
                $"The upload was removed from the server's own folder ({RemotePath.ReservedRootName} in its root) while it arrived; send the file again.",
                new FileNotFoundException($"The partial upload '{partial}' was removed.")) { RemotePath = target };
        }
        // The tree may have changed while the body arrived: check everything again.
        var (_, targetFull) = jail.Resolve(target);
        jail.CheckDestination(target, targetFull, request.Conflict);
        // The file is named inside the checked handle of its folder, so a folder swapped for a link since leads nowhere
        // outside: the handle of the last commit's folder when it is still where the folder's path leads now (the
        // target's own real path would not do: a link in its place leads elsewhere, and the link is what is replaced).
        string parent = RemotePath.GetParent(target);
        jail.Resolve(parent, out string parentReal);
        using var folder = jail.FolderForCommit(parent, parentReal);
        string targetInFolder = jail.ChildOf(folder, RemotePath.GetName(target), target);
        var result = request.Conflict switch
        {
            ConflictMode.Overwrite => MoveOverwriting(targetInFolder),
            ConflictMode.Fail => MoveOrFail(targetInFolder),
            _ => MoveUnderFreeName(folder),
        };
        _committed = true;
        return result with { HashAlgorithm = hash is null ? null : request.HashAlgorithmName, Hash = hash };
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
        await partials.EnterAsync().ConfigureAwait(false);
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
                DeletePartial();
            }
            Release(id);
        }
        finally
        {
            partials.Exit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Id is not { } id)
        {
            partials.Forget(partial);
            await CloseAsync().ConfigureAwait(false);
            if (!_committed)
            {
                DeletePartial();
            }
            return;
        }
        // Resumable: the partial file stays for the next try (or the sweep).
        await partials.EnterAsync().ConfigureAwait(false);
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
            partials.Exit();
        }
    }

    /// <summary>Deletes the partial file; its folder gone already (the root emptied meanwhile) is as good.</summary>
    private void DeletePartial()
    {
        try
        {
            File.Delete(partial);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing left to delete.
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
        partials.Release(id, this, partial);
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
        if (!AtomicRename.TryMoveFile(partial, targetFull, replace: true, out _))
        {
            // Refused or not possible here: the portable move, which also says why as it always did.
            File.Move(partial, targetFull, overwrite: true);
        }
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
            throw StoreErrors.AlreadyExists(target);
        }
        return new UploadResult(target, _written, Renamed: false);
    }

    /// <summary>
    /// The duplicate-name rule: <c>name.ext</c>, else <c>name_1.ext</c>, <c>name_2.ext</c>…; the no-overwrite move
    /// fails when another upload took the name first, so two finishing together never destroy each other.
    /// </summary>
    private UploadResult MoveUnderFreeName(PinnedItem folderHandle)
    {
        for (int n = 0; ; n++)
        {
            string candidate = n == 0 ? target : LocalFolderStore.DuplicateName(target, n);
            if (n > 0)
            {
                // The target itself was resolved a moment ago, by the commit.
                jail.Resolve(candidate);
            }
            string candidateFull = jail.ChildOf(folderHandle, RemotePath.GetName(candidate), candidate);
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
        // Where the kernel can, one atomic step (RENAME_NOREPLACE) and no claim.
        if (AtomicRename.TryMoveFile(partial, destination, replace: false, out int errno))
        {
            return;
        }
        if (AtomicRename.IsExists(errno))
        {
            throw new IOException($"'{destination}' exists.");
        }
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
