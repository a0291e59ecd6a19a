using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.SessionFailures;

namespace PSSocketFtp.Server;

/// <summary>
/// One connection: the handshake, then a loop that reads frames from the transport's <see cref="PipeReader"/> and
/// serves each request on its stream: in versions 1 and 2 one at a time, in order; from version 3 many at once
/// (FtpConnectionSession.Streams.cs). In v1 body bytes go to the store as they arrive; from v2 on each DATA payload waits
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
    // Limits (Limits/): the storage uploads may take (Requests/FtpConnectionSession.Upload.cs), whether the connection got a slot.
    private readonly StorageGuard? _storage;
    private readonly bool _admitted;
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
            await CloseStreamsAsync();
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
        try
        {
            await ServeFramesAsync();
        }
        catch (ConnectionEndedException) when (Fatal is { } fatal)
        {
            // The loop was woken because work beside it failed in a way that ends the connection: that failure is the reason.
            fatal.Throw();
        }
    }

    private async Task ServeFramesAsync()
    {
        while (await ReadRequestHeaderAsync() is { } header)
        {
            if (header.Type is FrameType.Data or FrameType.End)
            {
                await ReceiveBodyFrameAsync(header);
                continue;
            }
            if (!Multiplexed && BodyInProgress() is { } body)
            {
                throw Malformed($"a {header.Type} frame for stream {header.StreamId} inside the body of stream {body.Stream}");
            }
            if (header.Type is < FrameType.List or > FrameType.Rename)
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
                    // Whatever is in progress is answered first.
                    await DrainAsync();
                    await _frames.SendAsync(stream, EmptyMessage.Ok);
                    return;
                case FrameType.Ping:
                    await _frames.SendAsync(stream, new PingAnswer(Software));
                    break;
                default:
                    if (await OpenStreamAsync(header.Type, stream))
                    {
                        var type = header.Type;
                        await RunAsync(stream, type == FrameType.Upload ? () => BeginUploadAsync(stream, fields) : () => ServePathRequestAsync(type, stream, fields));
                    }
                    break;
            }
        }
    }

    /// <summary>A DATA or END frame: a part of the body of the upload on its stream, or its end.</summary>
    private async Task ReceiveBodyFrameAsync(FrameHeader header)
    {
        if (BodyOf(header.StreamId) is not { } body)
        {
            throw !Multiplexed && BodyInProgress() is { } other
                ? Malformed($"a {header.Type} frame for stream {header.StreamId} inside the body of stream {other.Stream}")
                : Malformed($"a {header.Type} frame outside a body (stream {header.StreamId})");
        }
        if (header.Type == FrameType.End)
        {
            var trailer = EndTrailer.Read(await _frames.ReadFieldsAsync(header));
            EndBody(body);
            await RunAsync(body.Stream, () => FinishUploadAsync(body, trailer));
            return;
        }
        if (header.PayloadLength > body.Length - body.Received)
        {
            throw Malformed($"a body longer than the {body.Length} bytes announced");
        }
        await ReceiveDataAsync(header, body);
        body.Received += header.PayloadLength;
    }

    /// <summary>Reads and answers a LIST, STAT, DELETE, MKDIR, RENAME, HASH or DOWNLOAD; a failure that leaves the connection usable ends only this request.</summary>
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
                FrameType.MakeFolder => MakeFolderRequest.Read(fields),
                FrameType.Rename => RenameRequest.Read(fields),
                FrameType.Hash => HashRequest.Read(fields),
                _ => DownloadRequest.Read(fields),
            };
            await (request switch
            {
                ListRequest list => ListAsync(stream, list),
                StatRequest stat => StatAsync(stream, stat),
                DeleteRequest delete => DeleteAsync(stream, delete),
                MakeFolderRequest makeFolder => MakeFolderAsync(stream, makeFolder),
                RenameRequest rename => RenameAsync(stream, rename),
                HashRequest hash => HashAsync(stream, hash),
                _ => DownloadAsync(stream, (DownloadRequest)request),
            });
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            await _frames.SendErrorAsync(stream, e, request?.Path ?? string.Empty);
        }
    }

    /// <summary>
    /// Reads the next frame's header; null when the client closed, or the server is stopping, with no request in progress.
    /// </summary>
    private async ValueTask<FrameHeader?> ReadRequestHeaderAsync()
    {
        lock (_stopGate)
        {
            if (_stopRequested && NothingOpen)
            {
                return null;
            }
            _awaitingRequest = true;
        }
        try
        {
            return await _frames.ReadHeaderAsync();
        }
        catch (ConnectionEndedException) when (Volatile.Read(ref _stopRequested) && !_frames.ReadTimerFired && Fatal is null && NothingOpen)
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
            if ((_awaitingRequest && NothingOpen) || !_frames.ReadTimerStarted)
            {
                _frames.CancelPendingRead();
            }
        }
    }
}
