using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>
/// A session with one server over one connection. Operations run one at a time; a connection lost between or during
/// operations is re-established through the session's retry pipeline, within its retry budget.
/// </summary>
public sealed class FtpSession : IDisposable
{
    private readonly FtpSessionOptions _options;
    private readonly Polly.ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FtpConnection? _connection;
    private bool _closed;

    private FtpSession(FtpSessionOptions options)
    {
        _options = options;
        _pipeline = Resilience.Create(options);
    }

    /// <summary>Connects to a server, retrying transient failures.</summary>
    /// <exception cref="FtpConnectionException">No connection could be made within the retry budget.</exception>
    /// <exception cref="FtpTimeoutException">The last try timed out.</exception>
    /// <exception cref="FtpException">The server refused the handshake.</exception>
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

    /// <summary>Retries allowed per operation.</summary>
    public int RetryCount => _options.RetryCount;

    /// <summary>Connect and no-progress timeout.</summary>
    public TimeSpan Timeout => _options.Timeout;

    /// <summary>The protocol version agreed with the server.</summary>
    public int ProtocolVersion { get; private set; }

    /// <summary>The server's software name and version.</summary>
    public string? ServerSoftware { get; private set; }

    /// <summary>When the session was opened.</summary>
    public DateTime ConnectedAt { get; private set; }

    /// <summary>Whether the session is open (it reconnects by itself after a lost connection) until <see cref="DisconnectAsync"/>.</summary>
    public bool IsOpen => !_closed;

    /// <summary>Whether a connection to the server is up right now.</summary>
    public bool IsConnected => !_closed && _connection is { IsBroken: false };

    /// <summary>Checks that the server answers.</summary>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(FrameType.Ping, id).ConfigureAwait(false);
            var fields = await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
            ServerSoftware = fields.TryGetString(FieldTag.Software);
            return true;
        }, cancellationToken);

    /// <summary>Lists a folder's content (everything below it with <paramref name="recurse"/>), or a file itself.</summary>
    /// <exception cref="FtpException">The server refused: not found, invalid path, ….</exception>
    public Task<IReadOnlyList<FtpItem>> ListAsync(string? path, bool recurse = false, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        return RunAsync<IReadOnlyList<FtpItem>>(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(FieldWriter.ForFrame(FrameType.List, id).Add(FieldTag.Path, remote).Add(FieldTag.Recursive, recurse).ToFrame()).ConfigureAwait(false);
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
                items.AddRange(fields.GetNested(FieldTag.Entry).Select(entry => new FtpItem(RemoteEntry.ReadFrom(entry))));
            }
        }, cancellationToken);
    }

    /// <summary>Describes one remote item.</summary>
    /// <exception cref="FtpException">The server refused: not found, invalid path, ….</exception>
    public Task<FtpItem> GetItemAsync(string path, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        return RunAsync(async (connection, _) =>
        {
            uint id = connection.NextStreamId();
            await connection.SendAsync(FieldWriter.ForFrame(FrameType.Stat, id).Add(FieldTag.Path, remote).ToFrame()).ConfigureAwait(false);
            return new FtpItem(RemoteEntry.ReadFrom(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false)));
        }, cancellationToken);
    }

    /// <summary>The size of a remote item.</summary>
    public async Task<FtpItemSize> GetSizeAsync(string path, CancellationToken cancellationToken = default) =>
        new(await GetItemAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Deletes a remote file, or a folder (with its content only when <paramref name="recurse"/> is set).</summary>
    /// <exception cref="FtpException">The server refused: not found, folder not empty, ….</exception>
    public Task RemoveAsync(string path, bool recurse = false, CancellationToken cancellationToken = default)
    {
        string remote = RemotePath.Normalize(path);
        return RunAsync(async (connection, attempt) =>
        {
            uint id = connection.NextStreamId();
            attempt.MayHaveTakenEffect = true;
            await connection.SendAsync(FieldWriter.ForFrame(FrameType.Delete, id).Add(FieldTag.Path, remote).Add(FieldTag.Recursive, recurse).ToFrame()).ConfigureAwait(false);
            await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Uploads a local file.</summary>
    /// <param name="localPath">The file to send.</param>
    /// <param name="destination">A remote folder (root when empty; a trailing '/' forces folder meaning) or the remote file path.</param>
    /// <param name="conflict">What to do when the remote name exists; <see cref="ConflictMode.Rename"/> stores <c>name_1.ext</c>.</param>
    /// <param name="progress">Receives bytes sent so far.</param>
    /// <param name="cancellationToken">Cancels the upload; nothing becomes visible on the server.</param>
    public async Task<FtpTransferResult> UploadFileAsync(string localPath, string? destination = null, ConflictMode conflict = ConflictMode.Rename, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string fullPath = Path.GetFullPath(localPath);
        using var source = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await UploadAsync(source, Path.GetFileName(fullPath), destination, conflict, progress, fullPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads the rest of a seekable stream under <paramref name="fileName"/>.</summary>
    public Task<FtpTransferResult> UploadAsync(Stream source, string fileName, string? destination = null, ConflictMode conflict = ConflictMode.Rename, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        UploadAsync(source, fileName, destination, conflict, progress, fileName, cancellationToken);

    /// <summary>Downloads a remote file to a local path, through a hidden partial file that is moved into place when complete.</summary>
    /// <param name="remotePath">The remote file.</param>
    /// <param name="localPath">The local file to create.</param>
    /// <param name="overwrite">Replace an existing local file; without it an existing file is an <see cref="IOException"/>.</param>
    /// <param name="progress">Receives bytes received so far.</param>
    /// <param name="cancellationToken">Cancels the download; the local file is left untouched.</param>
    public async Task<FtpTransferResult> DownloadFileAsync(string remotePath, string localPath, bool overwrite = false, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string fullPath = Path.GetFullPath(localPath);
        if (!overwrite && File.Exists(fullPath))
        {
            throw new IOException($"The file '{fullPath}' already exists.");
        }
        string partial = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.partial");
        try
        {
            FtpTransferResult result;
            using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                result = await DownloadAsync(remotePath, target, progress, fullPath, cancellationToken).ConfigureAwait(false);
            }
            if (overwrite && File.Exists(fullPath))
            {
                File.Delete(fullPath);
            }
            File.Move(partial, fullPath);
            return result;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Downloads a remote file into a stream (from its current position; a seekable stream is rewound for a retry).</summary>
    public Task<FtpTransferResult> DownloadAsync(string remotePath, Stream destination, IProgress<FtpTransferProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadAsync(remotePath, destination, progress, remotePath, cancellationToken);

    /// <summary>Says goodbye to the server and closes the connection. The session cannot be used afterwards.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsBroken: false } connection)
            {
                try
                {
                    using var scope = connection.BeginOperation(_options, cancellationToken);
                    uint id = connection.NextStreamId();
                    await connection.SendAsync(FrameType.Bye, id).ConfigureAwait(false);
                    await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FtpConnectionException or FtpException)
                {
                    // The goodbye is a courtesy: the server frees the session when the socket closes anyway.
                }
            }
            CloseConnection();
            _closed = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connection without a goodbye.</summary>
    public void Dispose()
    {
        _closed = true;
        CloseConnection();
    }

    /// <inheritdoc />
    public override string ToString() => $"{ComputerName}:{Port}";

    private async Task<FtpTransferResult> UploadAsync(Stream source, string fileName, string? destination, ConflictMode conflict, IProgress<FtpTransferProgress>? progress, string localDescription, CancellationToken cancellationToken)
    {
        RemotePath.CheckName(fileName);
        string target = RemotePath.Normalize(destination);
        if (target.Length > 0 && destination!.TrimEnd().EndsWith("/", StringComparison.Ordinal) | destination!.TrimEnd().EndsWith("\\", StringComparison.Ordinal))
        {
            // Tells the server the destination is a folder even when it does not exist yet.
            target += "/";
        }
        long start = source.Position;
        long length = source.Length - start;
        long began = _options.TimeProvider.GetTimestamp();
        bool firstAttempt = true;
        return await RunAsync(async (connection, attempt) =>
        {
            if (!firstAttempt)
            {
                source.Position = start;
            }
            firstAttempt = false;
            uint id = connection.NextStreamId();
            await connection.SendAsync(FieldWriter.ForFrame(FrameType.Upload, id)
                .Add(FieldTag.Path, target)
                .Add(FieldTag.FileName, fileName)
                .Add(FieldTag.Length, length)
                .Add(FieldTag.Conflict, (byte)conflict)
                .ToFrame()).ConfigureAwait(false);
            await connection.ExpectAsync(id, FrameType.Ready).ConfigureAwait(false);
            // The server stores the file only after END, so a fault before END can be retried without a duplicate.
            await connection.SendBodyAsync(id, source, length, sent => progress?.Report(new FtpTransferProgress(sent, length))).ConfigureAwait(false);
            attempt.MayHaveTakenEffect = true;
            var done = await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
            return new FtpTransferResult(
                FtpTransferDirection.Upload,
                localDescription,
                RemotePath.ToDisplay(done.GetString(FieldTag.Path)),
                done.TryGetInt64(FieldTag.Length) ?? length,
                _options.TimeProvider.GetElapsedTime(began),
                done.GetBoolean(FieldTag.Renamed));
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task<FtpTransferResult> DownloadAsync(string remotePath, Stream destination, IProgress<FtpTransferProgress>? progress, string localDescription, CancellationToken cancellationToken)
    {
        string remote = RemotePath.Normalize(remotePath);
        long start = destination.CanSeek ? destination.Position : 0;
        long began = _options.TimeProvider.GetTimestamp();
        bool firstAttempt = true;
        return RunAsync(async (connection, attempt) =>
        {
            if (!firstAttempt)
            {
                destination.Position = start;
                destination.SetLength(start);
            }
            firstAttempt = false;
            uint id = connection.NextStreamId();
            await connection.SendAsync(FieldWriter.ForFrame(FrameType.Download, id).Add(FieldTag.Path, remote).ToFrame()).ConfigureAwait(false);
            var ready = await connection.ExpectAsync(id, FrameType.Ready).ConfigureAwait(false);
            long length = ready.GetInt64(FieldTag.Length);
            // A stream that cannot be rewound cannot take a second try once bytes went into it.
            attempt.MayHaveTakenEffect = !destination.CanSeek;
            await connection.ReceiveBodyAsync(id, destination, length, received => progress?.Report(new FtpTransferProgress(received, length))).ConfigureAwait(false);
            await destination.FlushAsync().ConfigureAwait(false);
            return new FtpTransferResult(FtpTransferDirection.Download, localDescription, RemotePath.ToDisplay(remote), length, _options.TimeProvider.GetElapsedTime(began), renamed: false);
        }, cancellationToken);
    }

    /// <summary>Runs one operation inside the retry pipeline, on a live connection, one operation at a time.</summary>
    private async Task<T> RunAsync<T>(Func<FtpConnection, Attempt, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            throw new InvalidOperationException($"The session to {this} is closed.");
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                var connection = _connection is { IsBroken: false } live ? live : await ReconnectAsync(token).ConfigureAwait(false);
                var attempt = new Attempt();
                using var scope = connection.BeginOperation(_options, token);
                try
                {
                    return await operation(connection, attempt).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // A refusal the server sent in good order leaves the connection in step; anything else may not.
                    if (e is not FtpException { IsProtocolViolation: false } || connection.IsBroken)
                    {
                        CloseConnection();
                    }
                    var translated = scope.Translate(e, attempt.MayHaveTakenEffect);
                    if (ReferenceEquals(translated, e))
                    {
                        throw;
                    }
                    throw translated;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<FtpConnection> ReconnectAsync(CancellationToken cancellationToken)
    {
        CloseConnection();
        var connection = await FtpConnection.OpenAsync(_options, cancellationToken).ConfigureAwait(false);
        ProtocolVersion = connection.ProtocolVersion;
        return _connection = connection;
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>What one try of an operation has done so far.</summary>
    private sealed class Attempt
    {
        /// <summary>Set once the server may have acted on the request; after that a lost connection is not retried.</summary>
        public bool MayHaveTakenEffect { get; set; }
    }
}
