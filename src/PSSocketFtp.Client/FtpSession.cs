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
    // Transfers that would share a partial file (an upload id, a local file downloaded into) take turns.
    private readonly KeyedGate _partials = new();

    private FtpSession(FtpSessionOptions options)
    {
        _options = options;
        _runner = new OperationRunner(options, e => Retrying?.Invoke(this, e));
    }

    /// <summary>
    /// Raised when a try of an operation failed transiently and the session is about to try again, before the delay;
    /// on the thread the failure surfaced on, so a handler must be quick and thread-safe.
    /// </summary>
    public event EventHandler<FtpRetryEventArgs>? Retrying;

    /// <summary>Connects to a server, retrying transient failures.</summary>
    /// <exception cref="FtpConnectionException">No connection could be made within the retry budget.</exception>
    /// <exception cref="FtpTimeoutException">The last try timed out.</exception>
    /// <exception cref="FtpException">The server refused the handshake, or the login (<see cref="FtpStatus.Unauthorized"/>).</exception>
    /// <exception cref="FtpTlsException">TLS was asked for and the server's certificate was not trusted, or the server does not speak TLS.</exception>
    public static Task<FtpSession> ConnectAsync(FtpSessionOptions options, CancellationToken cancellationToken = default) =>
        ConnectAsync(options, retrying: null, cancellationToken);

    /// <summary>Connects to a server, retrying transient failures; <paramref name="retrying"/> hears of the connect's retries and becomes a <see cref="Retrying"/> handler.</summary>
    /// <inheritdoc cref="ConnectAsync(FtpSessionOptions, CancellationToken)"/>
    public static async Task<FtpSession> ConnectAsync(FtpSessionOptions options, EventHandler<FtpRetryEventArgs>? retrying, CancellationToken cancellationToken = default)
    {
        var session = new FtpSession((options ?? throw new ArgumentNullException(nameof(options))).Validated());
        session.Retrying += retrying;
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
    public async Task<IReadOnlyList<FtpItem>> ListAsync(string? path, bool recurse = false, CancellationToken cancellationToken = default)
    {
        var items = new List<FtpItem>();
        // Nobody has seen a batch before the listing ends, so a try cut off midway starts the list again.
        await ListCoreAsync(path, recurse, () => items.Clear(), batch =>
        {
            items.AddRange(batch);
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        return items;
    }

    /// <summary>
    /// Lists like <see cref="ListAsync(string?, bool, CancellationToken)"/>, handing the items over in batches as the
    /// server's frames arrive (about a thousand items each), so that the first can be used before the last arrive and a
    /// listing of any size needs memory for a few batches only. The next frame is read once the task that
    /// <paramref name="onBatch"/> returns has ended: a slow consumer slows the server down rather than filling memory.
    /// A connection lost before the first batch is retried as usual; after it, the call fails (the items handed over
    /// cannot be taken back). Cancelling, or <paramref name="onBatch"/> failing, ends the listing and closes the
    /// connection (the server would otherwise go on sending it); the session's next call opens a new one.
    /// </summary>
    /// <param name="path">The remote folder or file.</param>
    /// <param name="recurse">Everything below the folder.</param>
    /// <param name="onBatch">Receives each batch, in listing order; the list is the caller's to keep.</param>
    /// <param name="cancellationToken">Ends the listing.</param>
    /// <returns>How many items were listed.</returns>
    /// <exception cref="FtpException">The server refused: not found, invalid path, ….</exception>
    public Task<long> ListInBatchesAsync(string? path, bool recurse, Func<IReadOnlyList<FtpItem>, Task> onBatch, CancellationToken cancellationToken = default) =>
        ListCoreAsync(path, recurse, onTry: null, onBatch ?? throw new ArgumentNullException(nameof(onBatch)), cancellationToken);

    /// <summary>
    /// One listing; <paramref name="onTry"/>, when given, runs at the start of each try and makes the listing restartable
    /// from scratch; without it a try that handed over a batch is the last.
    /// </summary>
    private Task<long> ListCoreAsync(string? path, bool recurse, Action? onTry, Func<IReadOnlyList<FtpItem>, Task> onBatch, CancellationToken cancellationToken)
    {
        string remote = RemotePath.Normalize(path);
        return _runner.RunAsync(async (connection, attempt) =>
        {
            onTry?.Invoke();
            uint id = connection.NextStreamId();
            await connection.SendAsync(id, new ListRequest(remote, recurse)).ConfigureAwait(false);
            long count = 0;
            while (true)
            {
                var (type, fields) = await connection.ReadResponseAsync(id).ConfigureAwait(false);
                if (type == FrameType.Ok)
                {
                    return count;
                }
                if (type != FrameType.Entries)
                {
                    throw new FtpException(FtpStatus.MalformedFrame, $"The server answered a listing with {type}.");
                }
                var batch = FtpItem.ReadBatch(fields);
                count += batch.Count;
                if (onTry is null)
                {
                    attempt.Final = true;
                }
                await onBatch(batch).ConfigureAwait(false);
                attempt.Token.ThrowIfCancellationRequested();
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

    /// <summary>The size of a remote item: a file's own, or a folder's as the total of the files in it and below.</summary>
    /// <exception cref="FtpException">The server refused: not found, invalid path, ….</exception>
    public async Task<FtpItemSize> GetSizeAsync(string path, CancellationToken cancellationToken = default)
    {
        var item = await GetItemAsync(path, cancellationToken).ConfigureAwait(false);
        if (!item.IsDirectory)
        {
            return new FtpItemSize(item.FullName, item.Length, 1);
        }
        // The protocol has no folder sizes (a folder's Length is 0): the client adds up a recursive listing.
        var files = (await ListAsync(item.FullName, recurse: true, cancellationToken).ConfigureAwait(false)).Where(entry => !entry.IsDirectory).ToList();
        return new FtpItemSize(item.FullName, files.Sum(file => file.Length), files.Count);
    }

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
    /// Creates a remote folder and its missing parents, and returns it. A MKDIR whose answer was lost is sent again like
    /// any request, then taking the folder it finds as made: most likely the earlier try made it.
    /// </summary>
    /// <param name="path">The folder's remote path.</param>
    /// <param name="existingOk">Return a folder already there instead of failing with <see cref="FtpStatus.AlreadyExists"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="FtpException">
    /// The server refused: <see cref="FtpStatus.AlreadyExists"/> (a folder without <paramref name="existingOk"/>, or a file,
    /// is there), <see cref="FtpStatus.NotADirectory"/> (a parent is a file), …; <see cref="FtpStatus.UnknownRequest"/>
    /// when the server is too old to create folders.
    /// </exception>
    public Task<FtpItem> CreateFolderAsync(string path, bool existingOk = false, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        bool sentBefore = false;
        return _runner.RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            var request = new MakeFolderRequest(remote, existingOk || sentBefore);
            await connection.SendAsync(id, request).ConfigureAwait(false);
            sentBefore = true;
            try
            {
                return new FtpItem(StatAnswer.Read(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false)).Entry);
            }
            catch (FtpException e) when (e.Status == FtpStatus.UnknownRequest)
            {
                // Not a damaged frame, which is why UnknownRequest is retried elsewhere: a server that knows MKDIR speaks
                // version 3, where checksums catch damage, so this server does not know the request and every retry would
                // be refused the same way.
                var unsupported = new FtpException(FtpStatus.UnknownRequest, "The server does not support creating folders: it is older than this client (it does not know the MKDIR request).", e) { RemotePath = remote };
                Resilience.MarkFinal(unsupported);
                throw unsupported;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Moves a remote file or folder to <paramref name="target"/> in one atomic step on the server (a rename when only the
    /// name changes), and returns it there. The target's parent folder must exist. A RENAME whose answer was lost is sent
    /// again like any request; when that second try finds the item gone from <paramref name="path"/> but something at
    /// <paramref name="target"/>, the earlier try most likely moved it, and that item is returned.
    /// </summary>
    /// <param name="path">The item's remote path.</param>
    /// <param name="target">The remote path it moves to (not a folder to move it into: the caller picks the name).</param>
    /// <param name="replace">Replace a file at <paramref name="target"/> instead of failing with <see cref="FtpStatus.AlreadyExists"/>; a folder with content is never replaced.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="FtpException">
    /// The server refused: <see cref="FtpStatus.NotFound"/>, <see cref="FtpStatus.AlreadyExists"/>,
    /// <see cref="FtpStatus.InvalidPath"/> (the root, a folder into itself, a path the root's jail refuses), …;
    /// <see cref="FtpStatus.UnknownRequest"/> when the server is too old to move items.
    /// </exception>
    public Task<FtpItem> RenameAsync(string path, string target, bool replace = false, CancellationToken cancellationToken = default)
    {
        string source = RemotePath.Normalize(path);
        string destination = RemotePath.Normalize(target);
        bool sentBefore = false;
        return _runner.RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(id, new RenameRequest(source, destination, replace)).ConfigureAwait(false);
            bool resent = sentBefore;
            sentBefore = true;
            try
            {
                return new FtpItem(StatAnswer.Read(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false)).Entry);
            }
            catch (FtpException e) when (resent && e.Status == FtpStatus.NotFound && e.RemotePath == RemotePath.ToDisplay(source))
            {
                // The earlier try moved it and its answer was lost: what is at the target now is the item, unless it is gone too.
                uint stat = connection.NextStreamId();
                await connection.SendAsync(stat, new StatRequest(destination)).ConfigureAwait(false);
                FieldSet moved;
                try
                {
                    moved = await connection.ExpectAsync(stat, FrameType.Ok).ConfigureAwait(false);
                }
                catch (FtpException again) when (again.Status == FtpStatus.NotFound)
                {
                    throw new FtpException(e.Status, e.Message, again) { RemotePath = e.RemotePath };
                }
                return new FtpItem(StatAnswer.Read(moved).Entry);
            }
            catch (FtpException e) when (e.Status == FtpStatus.UnknownRequest)
            {
                // As for MKDIR: a server that knows RENAME speaks version 3, where checksums catch damaged frames, so this
                // server does not know the request and every retry would be refused the same way.
                var unsupported = new FtpException(FtpStatus.UnknownRequest, "The server does not support moving or renaming items: it is older than this client (it does not know the RENAME request).", e) { RemotePath = source };
                Resilience.MarkFinal(unsupported);
                throw unsupported;
            }
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
        return await UploadTransfer.RunAsync(_runner, _partials, _options.TimeProvider, source, Path.GetFileName(fullPath), destination, conflict, algorithm, progress, fullPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads the rest of a stream under <paramref name="fileName"/>, verified like <see cref="UploadFileAsync"/>.
    /// A seekable stream is rewound or moved forward for a retry or a resume; a stream that cannot seek gets one try
    /// once its bytes were read. A <see cref="FileStream"/> resumes across runs like a file; other streams only within this call.
    /// </summary>
    public Task<FtpTransferResult> UploadAsync(Stream source, string fileName, string? destination = null, ConflictMode conflict = ConflictMode.Rename, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadTransfer.RunAsync(_runner, _partials, _options.TimeProvider, source ?? throw new ArgumentNullException(nameof(source)), fileName, destination, conflict, algorithm, progress, fileName, cancellationToken);

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
        // One download into a local file at a time: a second one waits and then finds the file, as one after the other.
        using (await _partials.EnterAsync("download:" + fullPath, cancellationToken).ConfigureAwait(false))
        {
            if (!overwrite && File.Exists(fullPath))
            {
                throw new IOException($"The file '{fullPath}' already exists.");
            }
            return await DownloadTransfer.ToFileAsync(_runner, _options.TimeProvider, remote, fullPath, overwrite, algorithm, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Downloads a remote file into a stream (from its current position), verified against the server's hash. A seekable
    /// stream is rewound for a retry; a stream that cannot seek gets one try once bytes went into it.
    /// </summary>
    public Task<FtpTransferResult> DownloadAsync(string remotePath, Stream destination, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadTransfer.ToStreamAsync(_runner, _options.TimeProvider, RemotePath.Normalize(remotePath), destination ?? throw new ArgumentNullException(nameof(destination)), algorithm, progress, remotePath, cancellationToken);

    /// <summary>
    /// Whether a local file name is one of the hidden partial files (or their sidecars) that <see cref="DownloadFileAsync"/>
    /// keeps until a download completes: a walk of a local folder passes over them, as they are no one's files.
    /// </summary>
    public static bool IsPartialFileName(string fileName) => PartialFiles.IsPartialName(fileName ?? throw new ArgumentNullException(nameof(fileName)));

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
}
