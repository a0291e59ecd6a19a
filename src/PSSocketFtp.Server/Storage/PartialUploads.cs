using PSSocketFtp.Protocol.Messages;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace PSSocketFtp.Server;

/// <summary>
/// The registry of partial uploads in the server's own folder: which partials belong to uploads still running (the sweep
/// leaves those alone), which upload runs each resumable id, the journal of committed ones, and the id lock every step on
/// a resumable partial takes.
/// </summary>
internal sealed class PartialUploads
{
    private const string PartialExtension = ".part";

    private readonly RootJail _jail;
    private readonly StateFolder _state;
    private readonly TimeProvider _timeProvider;
    // Partials of uploads still running, which the sweep must leave alone however slow their client is.
    private readonly ConcurrentDictionary<string, byte> _activePartials = new(StringComparer.Ordinal);
    // Made again, from the journal on disk, when the server's folder is: under the id lock.
    private UploadRecords _records;
    // Guards _runningIds and every step that creates, takes over, commits, releases or sweeps a resumable partial.
    // Order: this lock, then an upload's own write lock; never the other way round.
    private readonly SemaphoreSlim _idLock = new(1, 1);
    private readonly Dictionary<string, LocalFolderUpload> _runningIds = new(StringComparer.Ordinal);

    /// <summary>Loads the journal of <paramref name="state"/>, creating its folders.</summary>
    public PartialUploads(RootJail jail, StateFolder state, TimeProvider timeProvider)
    {
        _jail = jail;
        _state = state;
        _records = state.Create();
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Makes sure the server's own folders are there before a request needs them. Someone emptying the root from a shell
    /// (<c>find root -mindepth 1 -delete</c>) removes them: they are made again and the journal read again, as a restart
    /// would, so what the operator deleted is forgotten and uploads go on.
    /// </summary>
    public async Task EnsureStateFoldersAsync(CancellationToken cancellationToken)
    {
        if (_state.Exists())
        {
            return;
        }
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureStateFoldersLocked();
        }
        finally
        {
            _idLock.Release();
        }
    }

    /// <summary>As <see cref="EnsureStateFoldersAsync"/>, under the id lock.</summary>
    private void EnsureStateFoldersLocked()
    {
        if (_state.Exists())
        {
            return;
        }
        _jail.CheckRoot();
        try
        {
            var records = _state.Create();
            // The old journal's handle would go on appending to the file the operator deleted.
            _records.CloseJournal();
            _records = records;
        }
        catch (Exception e) when (StateFolder.IsFailure(e))
        {
            throw StateFolder.Unusable(e);
        }
    }

    /// <summary>Creates the partial file of an upload without an id, marked as running until <see cref="Forget"/>.</summary>
    public async Task<(string Partial, FileStream Stream)> CreateAsync(CancellationToken cancellationToken)
    {
        await EnsureStateFoldersAsync(cancellationToken).ConfigureAwait(false);
        string partial = Path.Join(_state.Partials, Guid.NewGuid().ToString("N") + PartialExtension);
        var stream = StateFolder.OpenPartial(partial, FileMode.CreateNew, FileAccess.Write);
        _activePartials.TryAdd(partial, 0);
        return (partial, stream);
    }

    /// <summary>
    /// Opens <c>&lt;id&gt;.&lt;fingerprint&gt;.part</c>, continued from what it holds. The fingerprint stands for everything
    /// else the upload was started with (destination, name, length, conflict mode, hash), so an id sent again with other
    /// values gets a partial of its own and never continues bytes meant for another file. Under the id lock, so
    /// that of two connections starting the same id one after the other, the later one owns it and the earlier one's
    /// writes have all reached the file (or failed) before the later one measures it.
    /// <paramref name="start"/> makes the upload of the partial file, its stream and the bytes it holds.
    /// </summary>
    public async Task<IUploadSession> BeginResumableAsync(UploadRequest request, string id, Func<string, FileStream, long, LocalFolderUpload> start, CancellationToken cancellationToken)
    {
        if (!UploadRequest.IsValidUploadId(id))
        {
            throw new ArgumentException($"'{id}' is not a valid upload id.", nameof(request));
        }
        string partial = Path.Join(_state.Partials, $"{id}.{Fingerprint(request)}{PartialExtension}");
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureStateFoldersLocked();
            if (_runningIds.Remove(id, out var running))
            {
                await running.TakeOverAsync().ConfigureAwait(false);
            }
            // Read too: a resumed upload's hash starts with the bytes already held.
            var stream = StateFolder.OpenPartial(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite);
            LocalFolderUpload upload;
            try
            {
                long held = Math.Min(stream.Length, request.Length);
                if (stream.Length != held)
                {
                    stream.SetLength(held);
                }
                stream.Position = held;
                upload = start(partial, stream, held);
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

    /// <summary>16 hex digits that change whenever a value a resumed upload (or a retry answered from its record) must agree on changes.</summary>
    internal static string Fingerprint(UploadRequest request)
    {
        string values = string.Join("\n", request.Path, request.FileName, request.Length, (int)request.Conflict, request.HashAlgorithmName);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(values)), 0, 8);
    }

    /// <summary>What the upload with <paramref name="request"/>'s id and values ended as, when its record is kept; else null.</summary>
    public async Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken)
    {
        if (request.UploadId is not { } id || !UploadRequest.IsValidUploadId(id))
        {
            throw new ArgumentException($"'{request.UploadId}' is not a valid upload id.", nameof(request));
        }
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The resume rule's fingerprint: an id sent again for another file is a new upload, not the old one's answer.
            return _records.Find(id, Fingerprint(request));
        }
        finally
        {
            _idLock.Release();
        }
    }

    /// <summary>Deletes abandoned partial uploads and records of committed ones older than <paramref name="maxAge"/>; returns how many.</summary>
    public async Task<int> SweepAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var cutoff = _timeProvider.GetUtcNow() - maxAge;
        int deleted = 0;
        // Under the id lock: a resumable partial is never deleted while an upload is taking it up again.
        await _idLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureStateFoldersLocked();
            foreach (var file in new DirectoryInfo(_state.Partials).EnumerateFiles())
            {
                if (!_activePartials.ContainsKey(file.FullName) && file.LastWriteTimeUtc < cutoff)
                {
                    file.Delete();
                    deleted++;
                }
            }
            deleted += _records.RemoveOlderThan(cutoff);
        }
        finally
        {
            _idLock.Release();
        }
        return deleted;
    }

    /// <summary>
    /// Takes the id lock. It guards every step that creates, takes over, commits, releases or sweeps a resumable partial;
    /// an upload's own write lock is taken after it, never before.
    /// </summary>
    public Task EnterAsync(CancellationToken cancellationToken = default) => _idLock.WaitAsync(cancellationToken);

    /// <summary>Releases the id lock.</summary>
    public void Exit() => _idLock.Release();

    /// <summary>Records a committed resumable upload, for a retry whose answer was lost. Under the id lock.</summary>
    public void Record(string id, UploadRequest request, UploadResult result) =>
        _records.Add(id, Fingerprint(request), result, _timeProvider.GetUtcNow());

    /// <summary>Forgets <paramref name="upload"/> as the id's running one (a newer upload of the id keeps it) and its partial as active. Under the id lock.</summary>
    public void Release(string id, LocalFolderUpload upload, string partial)
    {
        if (_runningIds.TryGetValue(id, out var running) && ReferenceEquals(running, upload))
        {
            _runningIds.Remove(id);
        }
        Forget(partial);
    }

    /// <summary>Forgets a partial as belonging to a running upload: the sweep may take it when it is old.</summary>
    public void Forget(string partial) => _activePartials.TryRemove(partial, out _);
}
