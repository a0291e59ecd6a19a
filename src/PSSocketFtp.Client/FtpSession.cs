using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// A session with one server over one connection. Operations run one at a time; a connection lost between or during
/// operations is re-established through the session's retry pipeline, within its retry budget.
/// </summary>
public sealed class FtpSession : IDisposable
{
    private readonly FtpSessionOptions _options;
    private readonly OperationRunner _runner;

    private FtpSession(FtpSessionOptions options)
    {
        _options = options;
        _runner = new OperationRunner(options);
    }

    /// <summary>Connects to a server, retrying transient failures.</summary>
    /// <exception cref="FtpConnectionException">No connection could be made within the retry budget.</exception>
    /// <exception cref="FtpTimeoutException">The last try timed out.</exception>
    /// <exception cref="FtpException">The server refused the handshake, or the login (<see cref="FtpStatus.Unauthorized"/>).</exception>
    /// <exception cref="FtpTlsException">TLS was asked for and the server's certificate was not trusted, or the server does not speak TLS.</exception>
    public static async Task<FtpSession> ConnectAsync(FtpSessionOptions options, CancellationToken cancellationToken = default)
    {
        var session = new FtpSession((options ?? throw new ArgumentNullException(nameof(options))).Validated());
        try
        {
            await session.PingAsync(cancellationToken).ConfigureAwait(false);
            session.ConnectedAt = DateTime.Now;
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A unique id, to tell sessions apart.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>The server's host name or address.</summary>
    public string ComputerName => _options.ComputerName;

    /// <summary>The server's TCP port.</summary>
    public int Port => _options.Port;

    /// <summary>Retries allowed per operation in a row without progress (see <see cref="FtpSessionOptions.RetryCount"/>).</summary>
    public int RetryCount => _options.RetryCount;

    /// <summary>How long one try to connect and complete the handshake may take.</summary>
    public TimeSpan ConnectTimeout => _options.ConnectTimeout;

    /// <summary>How long an operation may go with no byte moving before it fails and is tried again.</summary>
    public TimeSpan NoProgressTimeout => _options.NoProgressTimeout;

    /// <summary>How long a connection may go unused before it is closed (the next call reconnects).</summary>
    public TimeSpan IdleTimeout => _options.IdleTimeout;

    /// <summary>The user the session logs in as; null for an anonymous session.</summary>
    public string? UserName => _options.UserName;

    /// <summary>Whether the connection is protected by TLS.</summary>
    public bool UseTls => _options.UseTls;

    /// <summary>The protocol version agreed with the server.</summary>
    public int ProtocolVersion => _runner.ProtocolVersion;

    /// <summary>The server's software name and version.</summary>
    public string? ServerSoftware { get; private set; }

    /// <summary>When the session was opened.</summary>
    public DateTime ConnectedAt { get; private set; }

    /// <summary>Whether the session is open (it reconnects by itself after a lost connection) until <see cref="DisconnectAsync"/>.</summary>
    public bool IsOpen => !_runner.IsClosed;

    /// <summary>Whether a connection to the server is up right now.</summary>
    public bool IsConnected => _runner.IsConnected;

    /// <summary>Checks that the server answers.</summary>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        _runner.RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(id, EmptyMessage.Ping).ConfigureAwait(false);
            ServerSoftware = PingAnswer.Read(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false)).Software;
            return true;
        }, cancellationToken);

    /// <summary>Lists a folder's content (everything below it with <paramref name="recurse"/>), or a file itself.</summary>
    /// <exception cref="FtpException">The server refused: not found, invalid path, ….</exception>
    public Task<IReadOnlyList<FtpItem>> ListAsync(string? path, bool recurse = false, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        return _runner.RunAsync<IReadOnlyList<FtpItem>>(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(id, new ListRequest(remote, recurse)).ConfigureAwait(false);
            var items = new List<FtpItem>();
            while (true)
            {
                var (type, fields) = await connection.ReadResponseAsync(id).ConfigureAwait(false);
                if (type == FrameType.Ok)
                {
                    return items;
                }
                if (type != FrameType.Entries)
                {
                    throw new FtpException(FtpStatus.MalformedFrame, $"The server answered a listing with {type}.");
                }
                items.AddRange(EntriesAnswer.Read(fields).Entries.Select(entry => new FtpItem(entry)));
            }
        }, cancellationToken);
    }

    /// <summary>Describes one remote item.</summary>
    /// <exception cref="FtpException">The server refused: not found, invalid path, ….</exception>
    public Task<FtpItem> GetItemAsync(string path, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        return _runner.RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(id, new StatRequest(remote)).ConfigureAwait(false);
            return new FtpItem(StatAnswer.Read(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false)).Entry);
        }, cancellationToken);
    }

    /// <summary>The size of a remote item.</summary>
    public async Task<FtpItemSize> GetSizeAsync(string path, CancellationToken cancellationToken = default) =>
        new(await GetItemAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Deletes a remote file, or a folder (with its content only when <paramref name="recurse"/> is set). A delete whose
    /// answer was lost is sent again like any request; when that finds the item gone, the earlier try deleted it, and the
    /// call succeeds.
    /// </summary>
    /// <exception cref="FtpException">The server refused: not found, folder not empty, ….</exception>
    public Task RemoveAsync(string path, bool recurse = false, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        bool sentBefore = false;
        return _runner.RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            bool resent = sentBefore;
            await connection.SendAsync(id, new DeleteRequest(remote, recurse)).ConfigureAwait(false);
            sentBefore = true;
            try
            {
                await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
            }
            catch (FtpException e) when (resent && e.Status == FtpStatus.NotFound)
            {
                // Gone, which is what was asked: most likely by the try whose answer never came.
            }
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Uploads a local file, verified end to end: its hash goes to the server in the body's trailer and the server
    /// stores the file only when it matches. Running the same upload again after it was cut off or cancelled resumes it.
    /// </summary>
    /// <param name="localPath">The file to send.</param>
    /// <param name="destination">A remote folder (root when empty; a trailing '/' forces folder meaning) or the remote file path.</param>
    /// <param name="conflict">What to do when the remote name exists; <see cref="ConflictMode.Rename"/> stores <c>name_1.ext</c>.</param>
    /// <param name="algorithm">The hash the transfer is verified with.</param>
    /// <param name="progress">Receives bytes sent so far (a resumed upload starts at its offset).</param>
    /// <param name="cancellationToken">Cancels the upload; nothing becomes visible on the server, and running it again resumes.</param>
    /// <exception cref="FtpException">The server refused, or (<see cref="FtpStatus.HashMismatch"/>) the file kept arriving damaged.</exception>
    public async Task<FtpTransferResult> UploadFileAsync(string localPath, string? destination = null, ConflictMode conflict = ConflictMode.Rename, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string fullPath = Path.GetFullPath(localPath);
        using var source = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await UploadTransfer.RunAsync(_runner, _options.TimeProvider, source, Path.GetFileName(fullPath), destination, conflict, algorithm, progress, fullPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads the rest of a stream under <paramref name="fileName"/>, verified like <see cref="UploadFileAsync"/>.
    /// A seekable stream is rewound or moved forward for a retry or a resume; a stream that cannot seek gets one try
    /// once its bytes were read. A <see cref="FileStream"/> resumes across runs like a file; other streams only within this call.
    /// </summary>
    public Task<FtpTransferResult> UploadAsync(Stream source, string fileName, string? destination = null, ConflictMode conflict = ConflictMode.Rename, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadTransfer.RunAsync(_runner, _options.TimeProvider, source ?? throw new ArgumentNullException(nameof(source)), fileName, destination, conflict, algorithm, progress, fileName, cancellationToken);

    /// <summary>
    /// Downloads a remote file to a local path, verified against the server's hash. The bytes go to a hidden partial
    /// file <c>.&lt;name&gt;.psftp-partial</c> (with a sidecar <c>.json</c>) that is moved into place only when complete
    /// and verified; a download that fails or is cancelled keeps it, and the next run of the same download resumes it.
    /// </summary>
    /// <param name="remotePath">The remote file.</param>
    /// <param name="localPath">The local file to create.</param>
    /// <param name="overwrite">Replace an existing local file; without it an existing file is an <see cref="IOException"/>.</param>
    /// <param name="algorithm">The hash the transfer is verified with.</param>
    /// <param name="progress">Receives bytes received so far (a resumed download starts at its offset).</param>
    /// <param name="cancellationToken">Cancels the download; the local file is left untouched, the partial file kept.</param>
    /// <exception cref="FtpException">The server refused, or (<see cref="FtpStatus.HashMismatch"/>) the file kept arriving damaged.</exception>
    /// <exception cref="IOException">The local file exists and <paramref name="overwrite"/> is not set, or the local disk is full (not retried; the local file is left untouched, the partial file kept).</exception>
    public async Task<FtpTransferResult> DownloadFileAsync(string remotePath, string localPath, bool overwrite = false, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(remotePath);
        string fullPath = Path.GetFullPath(localPath);
        if (!overwrite && File.Exists(fullPath))
        {
            throw new IOException($"The file '{fullPath}' already exists.");
        }
        string partialPath = PartialFiles.PartialPath(fullPath);
        var partial = new PartialState(PartialFiles.SidecarPath(partialPath), remote);
        FtpTransferResult result;
        bool complete = false;
        var stream = new FileStream(partialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        try
        {
            PartialFiles.Hide(partialPath);
            result = await DownloadCoreAsync(remote, stream, algorithm, progress, fullPath, partial, cancellationToken).ConfigureAwait(false);
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
                PartialFiles.TryDelete(partial.SidecarPath);
            }
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

    /// <summary>
    /// Downloads a remote file into a stream (from its current position), verified against the server's hash. A seekable
    /// stream is rewound for a retry; a stream that cannot seek gets one try once bytes went into it.
    /// </summary>
    public Task<FtpTransferResult> DownloadAsync(string remotePath, Stream destination, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadCoreAsync(RemotePath.Normalize(remotePath), destination ?? throw new ArgumentNullException(nameof(destination)), algorithm, progress, remotePath, partial: null, cancellationToken);

    /// <summary>Asks the server for the hash of a remote file.</summary>
    /// <exception cref="FtpException">The server refused: not found, a folder, ….</exception>
    public Task<FtpFileHash> GetFileHashAsync(string remotePath, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(remotePath);
        return _runner.RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(id, new HashRequest(remote, algorithm)).ConfigureAwait(false);
            var ok = HashAnswer.Read(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false), algorithm);
            return new FtpFileHash(ok.HashAlgorithm, TransferHash.ToHex(ok.Hash), RemotePath.ToDisplay(ok.Path ?? remote), ok.Length);
        }, cancellationToken);
    }

    /// <summary>Says goodbye to the server and closes the connection. The session cannot be used afterwards.</summary>
    public Task DisconnectAsync(CancellationToken cancellationToken = default) => _runner.DisconnectAsync(cancellationToken);

    /// <summary>Closes the connection without a goodbye.</summary>
    public void Dispose() => _runner.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{ComputerName}:{Port}";

    private Task<FtpTransferResult> DownloadCoreAsync(string remote, Stream destination, FtpHashAlgorithm algorithm, IProgress<FtpTransferProgress>? progress, string localDescription, PartialState? partial, CancellationToken cancellationToken)
    {
        string wire = TransferHash.WireName(algorithm);
        long start = partial is null && destination.CanSeek ? destination.Position : 0;
        long began = _options.TimeProvider.GetTimestamp();
        return _runner.RunAsync(async (connection, attempt) =>
        {
            // What the partial file already holds of the same remote file, as recorded by an earlier try or run.
            long held = 0;
            PartialRecord? record = null;
            if (partial is not null)
            {
                record = partial.Read();
                held = destination.Length;
                if (record is null || held > record.Length)
                {
                    held = 0;
                }
            }
            else if (destination.CanSeek)
            {
                if (attempt.Number > 1)
                {
                    destination.Position = start;
                    destination.SetLength(start);
                }
            }
            uint id = connection.NextStreamId();
            var request = held > 0
                ? new DownloadRequest(remote, algorithm, held, record!.Length, record.LastWriteTime)
                : new DownloadRequest(remote, algorithm);
            await connection.SendAsync(id, request).ConfigureAwait(false);
            var ready = ReadyAnswer.ReadForDownload(await connection.ExpectAsync(id, FrameType.Ready).ConfigureAwait(false), held);
            long length = ready.Length!.Value;
            long offset = ready.Offset;
            attempt.Holds(offset);
            using var hash = TransferHash.Create(algorithm);
            if (partial is not null)
            {
                // The server says what it honoured: Offset 0 means the file changed (or was never started), so start over.
                if (destination.Length != offset)
                {
                    // Only when needed: ext4 writes out a file truncated to 0 when it is closed, which slowed every
                    // fresh download by a third in the bench.
                    destination.SetLength(offset);
                }
                destination.Position = 0;
                await LocalPrefix.HashAsync(connection, destination, offset, hash, attempt.Token).ConfigureAwait(false);
                if (ready.LastWriteTime is { } time)
                {
                    partial.Write(new PartialRecord(remote, length, time));
                }
                else
                {
                    partial.Forget();
                }
            }
            else if (!destination.CanSeek)
            {
                // Bytes written to a stream that cannot seek cannot be taken back: this is its only try.
                attempt.Final = true;
            }
            if (offset > 0)
            {
                progress?.Report(new FtpTransferProgress(offset, length));
            }
            var trailer = await connection.ReceiveBodyAsync(id, destination, length - offset, hash, received => attempt.Moved(progress, offset + received, length)).ConfigureAwait(false);
            await destination.FlushAsync().ConfigureAwait(false);
            byte[] digest = hash.GetHash();
            var end = EndTrailer.Read(trailer);
            var sent = end.Hash;
            string sentAlgorithm = end.HashAlgorithm ?? wire;
            // A server that predates integrity sends no hash: then only the length can be checked.
            if (sent is not null && (sentAlgorithm != wire || !sent.AsSpan().SequenceEqual(digest)))
            {
                // Damaged on the way: discard what arrived, so that the next try starts from byte 0.
                if (partial is not null)
                {
                    destination.SetLength(0);
                    partial.Forget();
                }
                else if (destination.CanSeek)
                {
                    destination.SetLength(start);
                }
                throw new FtpException(FtpStatus.HashMismatch, $"'{RemotePath.ToDisplay(remote)}' arrived with {wire} hash {TransferHash.ToHex(digest)}, but the server sent {TransferHash.ToHex(sent)}.")
                {
                    RemotePath = RemotePath.ToDisplay(remote),
                };
            }
            return new FtpTransferResult(FtpTransferDirection.Download, localDescription, RemotePath.ToDisplay(remote), length, _options.TimeProvider.GetElapsedTime(began), renamed: false, wire, TransferHash.ToHex(digest), offset, attempt.Number);
        }, cancellationToken);
    }

    /// <summary>A download's partial file: its sidecar, read at each try and rewritten at each READY.</summary>
    private sealed class PartialState(string sidecarPath, string remote)
    {
        public string SidecarPath { get; } = sidecarPath;

        /// <summary>The record, when it is about this remote file.</summary>
        public PartialRecord? Read() => PartialRecord.TryRead(SidecarPath) is { } record && record.RemotePath == remote ? record : null;

        public void Write(PartialRecord record) => record.Write(SidecarPath);

        public void Forget() => PartialFiles.TryDelete(SidecarPath);
    }
}
