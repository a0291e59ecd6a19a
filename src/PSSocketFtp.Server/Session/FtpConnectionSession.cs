using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.SessionFailures;

namespace PSSocketFtp.Server;

/// <summary>
/// One connection: the handshake, then requests answered in order (protocol v1 or v2). Frames are read from the
/// transport's <see cref="PipeReader"/>. In v1 body bytes go to the store as they arrive; in v2 each DATA payload waits
/// in the pipe until its checksum is verified, then goes to the store from there, still without a copy.
/// </summary>
internal sealed partial class FtpConnectionSession
{
    /// <summary>What PING answers.</summary>
    internal static readonly string Software = "PSSocketFtp.Server/" +
        (typeof(FtpConnectionSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    /// <summary>
    /// The log category of every connection: the type's name until it was renamed, kept so that operators' log filters and
    /// the log lines stay as they were.
    /// </summary>
    internal const string LogCategory = "PSSocketFtp.Server.FtpSession";

    private readonly ConnectionContext _connection;
    private readonly IFileStore _store;
    private readonly FtpServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _peer;
    private readonly CancellationToken _aborted;
    // Frames in and out, under the read limits.
    private readonly FrameChannel _frames;
    private readonly ReadDeadlines _deadlines;
    private IUploadSession? _upload;
    // Limits (ServerLimits.cs): whether the connection got a slot, the upload's reserved bytes.
    private readonly StorageGuard? _storage;
    private readonly bool _admitted;
    private UploadSpace? _space;
    // Graceful stop: a request in progress may finish; a session waiting for one is woken to close.
    private readonly object _stopGate = new();
    private bool _stopRequested;
    private bool _awaitingRequest;

    public FtpConnectionSession(ConnectionContext connection, IFileStore store, FtpServerOptions options, TimeProvider timeProvider, ILogger logger, StorageGuard? storage = null, bool admitted = true, LoginGuard? logins = null, Action? ready = null)
    {
        // A session made on its own (in tests) checks logins by itself; the server's sessions share one guard.
        _logins = logins ?? new LoginGuard(options, timeProvider);
        _storage = storage;
        _admitted = admitted;
        _connection = connection;
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _peer = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        _deadlines = new ReadDeadlines(options, timeProvider, ready);
        _frames = new FrameChannel(connection.Transport.Input, connection.Transport.Output, _deadlines, timeProvider, logger, _peer);
        _aborted = connection.ConnectionClosed;
    }

    public async Task RunAsync()
    {
        SessionLog.Connected(_logger, _peer);
        // A stopping server asks each connection to close: one waiting for a request closes now, a transfer may finish first.
        using var stopping = _connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested.Register(OnStopRequested);
        try
        {
            if (await HandshakeAsync())
            {
                await ServeAsync();
            }
        }
        catch (FtpException e) when (e.IsProtocolViolation)
        {
            SessionLog.BrokeProtocol(_logger, _peer, ClientText.Of(e.Message));
            await _frames.CloseWithErrorAsync(e.Status, e.Message);
        }
        catch (ConnectionEndedException) when (_frames.ReadTimerFired)
        {
            await CloseForReadLimitAsync();
        }
        catch (Exception e) when (IsConnectionEnd(e))
        {
            SessionLog.WentAway(_logger, _peer, e.Message);
        }
        catch (Exception e)
        {
            SessionLog.SessionFailed(_logger, e, _peer);
            await _frames.CloseWithErrorAsync(FtpStatus.InternalError, "The server failed; its log has the details.");
        }
        finally
        {
            await DiscardUploadAsync();
            _frames.Dispose();
            SessionLog.Disconnected(_logger, _peer);
        }
    }

    /// <summary>Logs, and where the client can act on it answers, why the read timer closed the connection.</summary>
    private async Task CloseForReadLimitAsync()
    {
        switch (_deadlines.Armed)
        {
            case ReadDeadlines.Limit.Login when _options.Users is not null:
                SessionLog.NoLogin(_logger, _peer, _options.LoginTimeout);
                await _frames.CloseWithErrorAsync(FtpStatus.Unauthorized, $"The server requires a login within {_options.LoginTimeout.TotalSeconds:0.###} s of connecting; none came, so the connection is closed.");
                break;
            case ReadDeadlines.Limit.Login:
                SessionLog.NoRequest(_logger, _peer, _options.LoginTimeout);
                break;
            case ReadDeadlines.Limit.Frame:
                SessionLog.SlowFrame(_logger, _peer, _options.FrameTimeout);
                break;
            default:
                SessionLog.Idle(_logger, _peer, _options.IdleTimeout);
                break;
        }
    }

    private async Task<bool> HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _timeProvider);
        using var registration = timeout.Token.Register(_frames.CancelPendingRead);
        ReadOnlySequence<byte> buffer;
        try
        {
            buffer = await _frames.ReadExactlyAsync(ProtocolConstants.HandshakeSize) ?? throw new ConnectionEndedException("closed before the handshake");
        }
        catch (ConnectionEndedException) when (timeout.IsCancellationRequested)
        {
            SessionLog.NoHandshake(_logger, _peer, _options.HandshakeTimeout);
            return false;
        }
        Span<byte> hello = stackalloc byte[ProtocolConstants.HandshakeSize];
        buffer.Slice(0, hello.Length).CopyTo(hello);
        _frames.AdvanceTo(buffer.GetPosition(hello.Length));

        var reply = new byte[ProtocolConstants.HandshakeSize];
        byte version;
        try
        {
            version = Handshake.ReadHello(hello);
        }
        catch (FtpException e)
        {
            SessionLog.NotAClient(_logger, _peer, e.Message);
            Handshake.WriteReply(reply, 0, e.Status);
            await _frames.WriteAndLingerAsync(reply);
            return false;
        }
        var status = version == 0 ? FtpStatus.UnsupportedVersion : _admitted ? FtpStatus.Ok : FtpStatus.ServerBusy;
        Handshake.WriteReply(reply, version, status);
        if (status == FtpStatus.ServerBusy)
        {
            SessionLog.TooManyConnections(_logger, _peer, _options.MaxConnections, _options.MaxConnectionsPerAddress);
            await _frames.WriteAndLingerAsync(reply);
            return false;
        }
        if (status != FtpStatus.Ok)
        {
            SessionLog.NoCommonVersion(_logger, _peer, hello[4], hello[5]);
            await _frames.WriteAndLingerAsync(reply);
            return false;
        }
        await _frames.WriteAsync(reply);
        _frames.Version = version;
        _frames.StartReadTimer();
        _deadlines.StartLoginClock();
        return true;
    }

    private async Task ServeAsync()
    {
        while (await ReadRequestHeaderAsync() is { } header)
        {
            if (header.Type is FrameType.Data or FrameType.End)
            {
                throw Malformed($"a {header.Type} frame outside a body (stream {header.StreamId})");
            }
            if (header.Type is < FrameType.List or > FrameType.Auth)
            {
                throw new FtpException(FtpStatus.UnknownRequest, $"Frame type 0x{(byte)header.Type:X2} is not a request this server knows.");
            }
            if (header.StreamId == 0)
            {
                throw Malformed($"a {header.Type} request on stream 0, which is reserved for the connection");
            }
            var fields = await _frames.ReadFieldsAsync(header);
            uint stream = header.StreamId;
            if (_options.Users is null)
            {
                // An anonymous connection is ready with its first whole request.
                _deadlines.MarkReady();
            }
            if (header.Type == FrameType.Auth || (_options.Users is not null && !_login.LoggedIn && header.Type != FrameType.Bye))
            {
                if (!await AuthorizeAsync(header.Type, stream, fields))
                {
                    return;
                }
                continue;
            }
            switch (header.Type)
            {
                case FrameType.Bye:
                    await _frames.SendAsync(stream, EmptyMessage.Ok);
                    return;
                case FrameType.Ping:
                    await _frames.SendAsync(stream, new PingAnswer(Software));
                    break;
                case FrameType.Upload:
                    await UploadAsync(stream, fields);
                    break;
                default:
                    await ServePathRequestAsync(header.Type, stream, fields);
                    break;
            }
        }
    }

    /// <summary>Reads and answers a LIST, STAT, DELETE, HASH or DOWNLOAD; a failure that leaves the connection usable ends only this request.</summary>
    private async Task ServePathRequestAsync(FrameType type, uint stream, FieldSet fields)
    {
        IPathRequest? request = null;
        try
        {
            // Read in here: a malformed field is fatal (it passes the catch below), an unknown hash algorithm ends only the request.
            request = type switch
            {
                FrameType.List => ListRequest.Read(fields),
                FrameType.Stat => StatRequest.Read(fields),
                FrameType.Delete => DeleteRequest.Read(fields),
                FrameType.Hash => HashRequest.Read(fields),
                _ => DownloadRequest.Read(fields),
            };
            await (request switch
            {
                ListRequest list => ListAsync(stream, list),
                StatRequest stat => StatAsync(stream, stat),
                DeleteRequest delete => DeleteAsync(stream, delete),
                HashRequest hash => HashAsync(stream, hash),
                _ => DownloadAsync(stream, (DownloadRequest)request),
            });
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            await _frames.SendErrorAsync(stream, e, request?.Path ?? string.Empty);
        }
    }

    private async Task ListAsync(uint stream, ListRequest request)
    {
        var batch = new EntriesBatch(stream);
        await foreach (var entry in _store.ListAsync(request.Path, request.Recursive, _aborted))
        {
            if (!batch.TryAdd(entry))
            {
                await _frames.SendAsync(batch.Frame);
                batch.Next();
            }
        }
        if (!batch.IsEmpty)
        {
            await _frames.SendAsync(batch.Frame);
        }
        await _frames.SendAsync(stream, new ListEndAnswer(batch.Count));
    }

    private async Task StatAsync(uint stream, StatRequest request)
    {
        var entry = await _store.StatAsync(request.Path, _aborted);
        await _frames.SendAsync(stream, new StatAnswer(entry));
    }

    private async Task DeleteAsync(uint stream, DeleteRequest request)
    {
        await _store.DeleteAsync(request.Path, request.Recursive, _aborted);
        SessionLog.Deleted(_logger, ClientText.OfPath(request.Path), _peer);
        await _frames.SendAsync(stream, EmptyMessage.Ok);
    }

    private async Task HashAsync(uint stream, HashRequest request)
    {
        await using var file = await _store.OpenReadAsync(request.Path, _aborted);
        byte[] hash = await TransferHash.ComputeAsync(request.HashAlgorithm, file.Content, file.Entry.Length, _aborted);
        await _frames.SendAsync(stream, new HashAnswer(file.Entry.Path, file.Entry.Length, TransferHash.WireName(request.HashAlgorithm), hash));
    }

    private async Task DownloadAsync(uint stream, DownloadRequest request)
    {
        await using var download = await _store.OpenReadAsync(request.Path, _aborted);
        var entry = download.Entry;
        // A resume only when the client's start still belongs to this very file.
        long offset = request.ResumeOffset(entry);
        var algorithm = request.HashAlgorithm;
        using var hash = algorithm is { } a ? TransferHash.Create(a) : null;
        if (offset > 0)
        {
            if (hash is null)
            {
                download.Content.Seek(offset, SeekOrigin.Begin);
            }
            else
            {
                // The trailer covers the whole file: the part the client holds is read here, not sent.
                await hash.AppendAsync(download.Content, offset, _aborted);
            }
        }
        await _frames.SendAsync(stream, new ReadyAnswer(offset, entry.Length, entry.LastWriteTimeUtc.ToUnixTimeMilliseconds()));
        long remaining = entry.Length - offset;
        while (remaining > 0)
        {
            int chunk = (int)Math.Min(ProtocolConstants.DataChunkSize, remaining);
            // The file is read straight into the outgoing pipe behind room for the header: no copy.
            var body = _frames.GetDataBody(chunk);
            int read = await ReadFullyAsync(download.Content, body);
            if (read < chunk)
            {
                throw new IOException($"'{RemotePath.ToDisplay(entry.Path)}' became shorter while it was being sent.");
            }
            if (hash is not null)
            {
                AppendInPlace(hash, body);
            }
            await _frames.SendDataAsync(stream);
            remaining -= chunk;
        }
        await _frames.SendAsync(stream, hash is null ? EndTrailer.Empty : new EndTrailer(TransferHash.WireName(hash.Algorithm), hash.GetHash()));
        SessionLog.Sent(_logger, ClientText.OfPath(entry.Path), entry.Length - offset, _peer);
    }

    private async Task UploadAsync(uint stream, FieldSet fields)
    {
        UploadRequest request;
        try
        {
            request = UploadRequest.Read(fields);
        }
        catch (FtpException e) when (IsRequestFailure(e))
        {
            // Well-formed but unusable (a hash algorithm this server does not know): ends only this request.
            await _frames.SendErrorAsync(stream, e, string.Empty);
            return;
        }
        var (path, length, uploadId, algorithm) = (request.Path, request.Length, request.UploadId, request.HashAlgorithm);
        try
        {
            if (request.Retry && uploadId is not null && await _store.FindCommittedAsync(request, _aborted) is { } done)
            {
                // The answer to the first try was lost; the file is in place already.
                SessionLog.RetryAnswered(_logger, ClientText.Of(uploadId), ClientText.OfPath(done.Path), _peer);
                await _frames.SendAsync(stream, AnswerOf(done));
                return;
            }
            _storage?.CheckFileSize(length, path);
            _upload = await _store.BeginUploadAsync(request, _aborted);
            _space = _storage?.Begin(ClientAddress.Of(_connection.RemoteEndPoint), length - _upload.Offset, path);
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            // A refused reservation leaves a resumable partial as it was.
            await DiscardUploadAsync();
            SessionLog.UploadRefused(_logger, ClientText.OfPath(Subject(e, path)), length, _peer, ErrorMapping.ToStatus(e));
            await _frames.SendErrorAsync(stream, e, path);
            return;
        }

        using var hash = algorithm is { } algo ? TransferHash.Create(algo) : null;
        long offset = _upload.Offset;
        if (hash is not null)
        {
            try
            {
                // The hash covers the whole file, so it starts with the bytes held from an earlier try.
                await _upload.HashPrefixAsync(hash, _aborted);
            }
            catch (Exception e) when (IsRequestFailure(e))
            {
                await DiscardUploadAsync();
                await _frames.SendErrorAsync(stream, e, path);
                return;
            }
        }
        if (offset > 0)
        {
            SessionLog.UploadResumed(_logger, _peer, ClientText.Of(uploadId), offset, length);
        }
        await _frames.SendAsync(stream, new ReadyAnswer(offset));

        long received = offset;
        EndTrailer trailer;
        while (true)
        {
            var header = await _frames.ReadHeaderAsync() ?? throw new ConnectionEndedException("closed in the middle of an upload body");
            if (header.StreamId != stream || header.Type is not (FrameType.Data or FrameType.End))
            {
                throw Malformed($"a {header.Type} frame for stream {header.StreamId} inside the body of stream {stream}");
            }
            if (header.Type == FrameType.End)
            {
                trailer = EndTrailer.Read(await _frames.ReadFieldsAsync(header));
                break;
            }
            if (header.PayloadLength > length - received)
            {
                throw Malformed($"a body longer than the {length} bytes announced");
            }
            await ReceiveDataAsync(header, path, hash);
            received += header.PayloadLength;
        }

        if (_upload is null)
        {
            // Writing failed part way; the ERROR went out then.
            return;
        }
        try
        {
            if (received != length)
            {
                await _upload.DiscardAsync();
                throw new FtpException(FtpStatus.LengthMismatch, $"The body was {received - offset} bytes from offset {offset}, not the {length - offset} announced.");
            }
            byte[]? actual = null;
            if (hash is not null)
            {
                actual = hash.GetHash();
                byte[]? expected = trailer.Hash;
                if (expected is null || !actual.AsSpan().SequenceEqual(expected))
                {
                    // Damaged on the way, somewhere in the whole file: nothing of it can be trusted, so the next try starts at 0.
                    await _upload.DiscardAsync();
                    throw new FtpException(FtpStatus.HashMismatch, expected is null
                        ? $"The upload announced {TransferHash.WireName(hash.Algorithm)} but its END carried no hash."
                        : $"The file's {TransferHash.WireName(hash.Algorithm)} hash differs from the client's: it was damaged on the way and has been discarded.");
                }
            }
            var result = await _upload.CommitAsync(actual, _aborted);
            SessionLog.Received(_logger, ClientText.OfPath(result.Path), result.Length, _peer);
            await _frames.SendAsync(stream, AnswerOf(result));
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            await _frames.SendErrorAsync(stream, e, path);
        }
        finally
        {
            await DiscardUploadAsync();
        }
    }

    private static UploadAnswer AnswerOf(UploadResult result) => new(result.Path, result.Length, result.Renamed, result.HashAlgorithm, result.Hash);

    /// <summary>Hashes bytes where they lie: an array-backed segment (the pipe's usual case) goes to the hash without a copy.</summary>
    private static void AppendInPlace(TransferHash hash, ReadOnlyMemory<byte> bytes)
    {
        if (MemoryMarshal.TryGetArray(bytes, out var array))
        {
            hash.Append(array.Array!, array.Offset, array.Count);
        }
        else
        {
            hash.Append(bytes.Span);
        }
    }

    /// <summary>
    /// Passes one DATA payload to the upload: in v1 as it arrives; in v2 whole, once its checksum holds, so that a
    /// damaged payload is never written (the bytes before it stay, for a resume). After a write failure, reads and drops it.
    /// </summary>
    private async Task ReceiveDataAsync(FrameHeader header, string path, TransferHash? hash)
    {
        uint stream = header.StreamId;
        int length = header.PayloadLength;
        bool whole = _frames.Version >= ProtocolConstants.ChecksumVersion;
        if (_space is not null && length > 0)
        {
            try
            {
                // Room as the bytes come, never for the whole announced length at once (see StorageGuard); for the whole
                // payload (at most 1 MiB) before its first byte, so that it is checked once a frame, not once a pipe segment.
                _space.Take(length);
            }
            catch (Exception e) when (IsRequestFailure(e))
            {
                await FailUploadAsync(stream, e, path);
            }
        }
        while (length > 0)
        {
            var result = await _frames.ReadInputAsync(whole ? length : 0);
            var buffer = result.Buffer;
            if (result.IsCanceled || (result.IsCompleted && buffer.Length < (whole ? length : 1)))
            {
                _frames.AdvanceTo(buffer.Start, buffer.End);
                throw new ConnectionEndedException(result.IsCanceled ? "the server is stopping" : "closed in the middle of a DATA frame");
            }
            var take = buffer.Slice(0, Math.Min(length, buffer.Length));
            if (whole)
            {
                try
                {
                    FrameReader.TryReadPayload(ref buffer, header, out take);
                }
                catch (FtpException)
                {
                    // The reader must be free again for the goodbye; the session then closes the connection.
                    _frames.AdvanceTo(take.End);
                    throw;
                }
            }
            // Measured now: once advanced past, the buffer's segments go back to the pool and 'take' means nothing.
            length -= (int)take.Length;
            Exception? failure = null;
            if (_upload is not null)
            {
                try
                {
                    foreach (var segment in take)
                    {
                        if (hash is not null)
                        {
                            AppendInPlace(hash, segment);
                        }
                        // Not cancelled when the client goes away: every byte that arrived is one a resumed upload need not send again.
                        await _upload.WriteAsync(segment, CancellationToken.None);
                    }
                }
                catch (Exception e) when (IsRequestFailure(e))
                {
                    failure = e;
                }
            }
            _frames.AdvanceTo(take.End);
            if (failure is not null)
            {
                await FailUploadAsync(stream, failure, path);
            }
        }
    }

    /// <summary>Ends an upload that failed part way and answers at once; the rest of this stream's body is read and dropped up to its END.</summary>
    private async Task FailUploadAsync(uint stream, Exception failure, string path)
    {
        await DiscardUploadAsync();
        await _frames.SendErrorAsync(stream, failure, path);
    }

    /// <summary>Reads the next request's header; null when the client closed, or the server is stopping, between requests.</summary>
    private async ValueTask<FrameHeader?> ReadRequestHeaderAsync()
    {
        lock (_stopGate)
        {
            if (_stopRequested)
            {
                return null;
            }
            _awaitingRequest = true;
        }
        try
        {
            return await _frames.ReadHeaderAsync();
        }
        catch (ConnectionEndedException) when (Volatile.Read(ref _stopRequested) && !_frames.ReadTimerFired)
        {
            return null;
        }
        finally
        {
            lock (_stopGate)
            {
                _awaitingRequest = false;
            }
        }
    }

    private void OnStopRequested()
    {
        lock (_stopGate)
        {
            _stopRequested = true;
            if (_awaitingRequest || !_frames.ReadTimerStarted)
            {
                _frames.CancelPendingRead();
            }
        }
    }

    private static async ValueTask<int> ReadFullyAsync(Stream source, Memory<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = await source.ReadAsync(destination.Slice(total));
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    /// <summary>Ends the current upload: a committed one is left alone, an unfinished one's partial file is deleted.</summary>
    private async ValueTask DiscardUploadAsync()
    {
        _space?.Dispose();
        _space = null;
        if (_upload is not { } upload)
        {
            return;
        }
        _upload = null;
        try
        {
            await upload.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The sweep removes what is left; the client's answer does not depend on it.
            SessionLog.PartialNotDeleted(_logger, e, _peer);
        }
    }

}
