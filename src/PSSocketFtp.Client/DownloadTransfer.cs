using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// One download's protocol steps (DOWNLOAD, READY, the body, the hash in its trailer) and what it keeps from one try
/// to the next, run by the session's <see cref="OperationRunner"/>: into a stream, or into a local file by way of a
/// hidden partial file that a later run resumes.
/// </summary>
internal sealed class DownloadTransfer
{
    private readonly string _remote;
    private readonly Stream _destination;
    private readonly FtpHashAlgorithm _algorithm;
    private readonly string _wire;
    private readonly IProgress<FtpTransferProgress>? _progress;
    private readonly string _localDescription;
    private readonly PartialState? _partial;
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly long _began;

    // The remote file's time as the last READY gave it, for the local file; null from a server that sends none.
    private long? _remoteLastWriteTime;

    private DownloadTransfer(string remote, Stream destination, FtpHashAlgorithm algorithm, IProgress<FtpTransferProgress>? progress, string localDescription, PartialState? partial, TimeProvider clock)
    {
        _remote = remote;
        _destination = destination;
        _algorithm = algorithm;
        _progress = progress;
        _localDescription = localDescription;
        _partial = partial;
        _clock = clock;
        _wire = TransferHash.WireName(algorithm);
        _start = partial is null && destination.CanSeek ? destination.Position : 0;
        _began = clock.GetTimestamp();
    }

    /// <summary>Downloads <paramref name="remote"/> into <paramref name="destination"/> from its current position.</summary>
    public static Task<FtpTransferResult> ToStreamAsync(OperationRunner runner, TimeProvider clock, string remote, Stream destination, FtpHashAlgorithm algorithm, IProgress<FtpTransferProgress>? progress, string localDescription, CancellationToken cancellationToken) =>
        new DownloadTransfer(remote, destination, algorithm, progress, localDescription, partial: null, clock).RunAsync(runner, cancellationToken);

    /// <summary>Downloads <paramref name="remote"/> to <paramref name="fullPath"/> through its partial file, resuming what an earlier run left there.</summary>
    public static async Task<FtpTransferResult> ToFileAsync(OperationRunner runner, TimeProvider clock, string remote, string fullPath, bool overwrite, FtpHashAlgorithm algorithm, IProgress<FtpTransferProgress>? progress, CancellationToken cancellationToken)
    {
        string partialPath = PartialFiles.PartialPath(fullPath);
        var partial = new PartialState(PartialFiles.SidecarPath(partialPath), remote);
        FtpTransferResult result;
        bool complete = false;
        var stream = new FileStream(partialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        var transfer = new DownloadTransfer(remote, stream, algorithm, progress, fullPath, partial, clock);
        try
        {
            PartialFiles.Hide(partialPath);
            result = await transfer.RunAsync(runner, cancellationToken).ConfigureAwait(false);
            complete = true;
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            // The system's message names the hidden partial file; the user asked for the target.
            string kept = stream.Length > 0 ? $" The {stream.Length} bytes received are kept in '{partialPath}': make room and run the download again to resume, or delete that file." : string.Empty;
            throw new IOException($"The disk is full: '{RemotePath.ToDisplay(remote)}' does not fit in '{fullPath}' ({e.Message}).{kept}", e.HResult);
        }
        finally
        {
            long kept = stream.Length;
            stream.Dispose();
            if (!complete && kept == 0)
            {
                // Nothing to resume: leave no litter.
                PartialFiles.TryDelete(partialPath);
                partial.Forget();
            }
            else if (!complete)
            {
                // Kept for the next run to resume: it needs the record.
                partial.Persist();
            }
        }
        if (transfer._remoteLastWriteTime is { } time)
        {
            // On the closed partial, before the move: the file never shows under its name with the time of the download.
            File.SetLastWriteTimeUtc(partialPath, UnixTime.Clamped(time).UtcDateTime);
        }
        if (overwrite && File.Exists(fullPath))
        {
            File.Delete(fullPath);
        }
        File.Move(partialPath, fullPath);
        PartialFiles.Unhide(fullPath);
        PartialFiles.TryDelete(partial.SidecarPath);
        return result;
    }

    private Task<FtpTransferResult> RunAsync(OperationRunner runner, CancellationToken cancellationToken) => runner.RunAsync(TryAsync, cancellationToken);

    /// <summary>One try: asks for what the destination does not hold yet, receives it, and checks the whole file's hash.</summary>
    private async Task<FtpTransferResult> TryAsync(FtpConnection connection, Attempt attempt)
    {
        // What the partial file already holds of the same remote file, as recorded by an earlier try or run.
        long held = 0;
        PartialRecord? record = null;
        if (_partial is not null)
        {
            held = _destination.Length;
            // An empty partial file (a fresh download's) holds nothing to resume whatever a sidecar says: not reading
            // one spares every small download a failed open and its exception.
            record = held > 0 ? _partial.Read() : null;
            if (record is null || held > record.Length)
            {
                held = 0;
            }
        }
        else if (_destination.CanSeek)
        {
            if (attempt.Number > 1)
            {
                _destination.Position = _start;
                _destination.SetLength(_start);
            }
        }
        uint id = connection.NextStreamId();
        var request = held > 0
            ? new DownloadRequest(_remote, _algorithm, held, record!.Length, record.LastWriteTime)
            : new DownloadRequest(_remote, _algorithm);
        await connection.SendAsync(id, request).ConfigureAwait(false);
        var ready = ReadyAnswer.ReadForDownload(await connection.ExpectAsync(id, FrameType.Ready).ConfigureAwait(false), held);
        long length = ready.Length!.Value;
        long offset = ready.Offset;
        _remoteLastWriteTime = ready.LastWriteTime;
        attempt.Holds(offset);
        using var hash = TransferHash.Create(_algorithm);
        if (_partial is not null)
        {
            // The server says what it honoured: Offset 0 means the file changed (or was never started), so start over.
            if (_destination.Length != offset)
            {
                // Only when needed: ext4 writes out a file truncated to 0 when it is closed, which slowed every
                // fresh download by a third in the bench.
                _destination.SetLength(offset);
            }
            _destination.Position = 0;
            await LocalPrefix.HashAsync(connection, _destination, offset, hash, attempt.Token).ConfigureAwait(false);
            if (ready.LastWriteTime is { } time)
            {
                _partial.Write(new PartialRecord(_remote, length, time), inMemory: length - offset < PartialState.InMemoryBelow);
            }
            else
            {
                _partial.Forget();
            }
        }
        else if (!_destination.CanSeek)
        {
            // Bytes written to a stream that cannot seek cannot be taken back: this is its only try.
            attempt.Final = true;
        }
        if (offset > 0)
        {
            _progress?.Report(new FtpTransferProgress(offset, length));
        }
        var trailer = await connection.ReceiveBodyAsync(id, _destination, length - offset, hash, received => attempt.Moved(_progress, offset + received, length)).ConfigureAwait(false);
        await _destination.FlushAsync().ConfigureAwait(false);
        byte[] digest = hash.GetHash();
        var end = EndTrailer.Read(trailer);
        var sent = end.Hash;
        string sentAlgorithm = end.HashAlgorithm ?? _wire;
        // A server that predates integrity sends no hash: then only the length can be checked.
        if (sent is not null && (sentAlgorithm != _wire || !sent.AsSpan().SequenceEqual(digest)))
        {
            // Damaged on the way: discard what arrived, so that the next try starts from byte 0.
            if (_partial is not null)
            {
                _destination.SetLength(0);
                _partial.Forget();
            }
            else if (_destination.CanSeek)
            {
                _destination.SetLength(_start);
            }
            throw new FtpException(FtpStatus.HashMismatch, $"'{RemotePath.ToDisplay(_remote)}' arrived with {_wire} hash {TransferHash.ToHex(digest)}, but the server sent {TransferHash.ToHex(sent)}.")
            {
                RemotePath = RemotePath.ToDisplay(_remote),
            };
        }
        return new FtpTransferResult(FtpTransferDirection.Download, _localDescription, RemotePath.ToDisplay(_remote), length, _clock.GetElapsedTime(_began), renamed: false, _wire, TransferHash.ToHex(digest), offset, attempt.Number);
    }
}
