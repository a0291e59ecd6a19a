using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// One TCP connection after a successful handshake: frame-level reads and writes. Every network failure surfaces as
/// <see cref="FtpConnectionException"/>, so callers can tell it from local I/O errors. Not thread-safe: the session
/// runs one operation at a time.
/// </summary>
internal sealed class FtpConnection : IDisposable
{
    private const int ReadBufferSize = 64 * 1024;
    private readonly TcpClient _client;
    // Set once the socket is connected: TcpClient.GetStream throws before that.
    private Stream _input = Stream.Null;
    private Stream _output = Stream.Null;
    private readonly byte[] _header = new byte[ProtocolConstants.ChecksummedHeaderSize];
    private readonly string _peer;
    private uint _lastStreamId;
    private ProgressWatchdog? _watchdog;
    private Stream? _tls;

    private FtpConnection(TcpClient client, string peer)
    {
        _client = client;
        _peer = peer;
    }

    /// <summary>True once the connection can no longer be trusted to be in step with the server.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>When the connection last finished an operation (or was opened), on the session's clock.</summary>
    public long LastUsed { get; set; }

    /// <summary>
    /// Connects and performs the handshake, all within the session's connect timeout. A refusal for
    /// <see cref="FtpStatus.UnsupportedVersion"/> is tried once more on a new connection: a damaged hello or reply can
    /// look like one, while a server that really speaks no common version answers it every time.
    /// </summary>
    public static async Task<FtpConnection> OpenAsync(FtpSessionOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenOnceAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (FtpException e) when (e.Status == FtpStatus.UnsupportedVersion && !cancellationToken.IsCancellationRequested)
        {
            return await OpenOnceAsync(options, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<FtpConnection> OpenOnceAsync(FtpSessionOptions options, CancellationToken cancellationToken)
    {
        string peer = $"{options.ComputerName}:{options.Port}";
        var client = new TcpClient { NoDelay = true };
        var connection = new FtpConnection(client, peer) { LastUsed = options.TimeProvider.GetTimestamp() };
        // A deadline, not a no-progress watch: the handshake's bytes do not extend it.
        using var scope = new OperationScope(connection, options, options.ConnectTimeout, touchOnProgress: false, cancellationToken);
        try
        {
            try
            {
                await client.ConnectAsync(options.ComputerName, options.Port).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                throw new FtpConnectionException($"Could not connect to {peer}: {e.Message}", e) { IsTransient = IsTransientConnectFailure(e) };
            }
            Stream stream = client.GetStream();
            if (options.UseTls)
            {
                stream = connection._tls = await Tls.AuthenticateAsync(stream, options, peer).ConfigureAwait(false);
            }
            connection._output = stream;
            connection._input = new BufferedStream(connection._output, ReadBufferSize);
            var hello = new byte[ProtocolConstants.HandshakeSize];
            Handshake.WriteHello(hello);
            await connection.WriteAsync(hello, 0, hello.Length).ConfigureAwait(false);
            await connection.ReadExactAsync(hello, 0, hello.Length).ConfigureAwait(false);
            connection.ProtocolVersion = Handshake.ReadReply(hello);
            if (options.UserName is { } user)
            {
                // Before any other request: a server with users refuses everything else until this succeeds.
                uint id = connection.NextStreamId();
                await connection.SendAsync(id, new AuthRequest(user, options.Password ?? string.Empty)).ConfigureAwait(false);
                await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
            }
            return connection;
        }
        catch (Exception e)
        {
            connection.Dispose();
            throw scope.Translate(e, mayHaveTakenEffect: false);
        }
    }

    /// <summary>The protocol version agreed in the handshake.</summary>
    public byte ProtocolVersion { get; private set; }

    /// <summary>A new stream id for the next request.</summary>
    public uint NextStreamId() => ++_lastStreamId;

    /// <summary>
    /// Ties an operation to the connection: cancelling the token, or going a whole timeout without progress,
    /// aborts the socket so that any pending read or write ends at once (on every runtime).
    /// </summary>
    public OperationScope BeginOperation(FtpSessionOptions options, CancellationToken cancellationToken) =>
        new(this, options, options.NoProgressTimeout, touchOnProgress: true, cancellationToken);

    /// <summary>Counts local work for the operation (hashing a file's prefix) as progress.</summary>
    public void Touch() => _watchdog?.Touch();

    /// <summary>Finishes the frame in the agreed version (with its checksums from version 2 on) and sends it.</summary>
    public async Task SendAsync(FieldWriter writer)
    {
        var frame = writer.ToFrame(ProtocolVersion);
        if (!MemoryMarshal.TryGetArray(frame, out var segment))
        {
            segment = new ArraySegment<byte>(frame.ToArray());
        }
        await WriteAsync(segment.Array!, segment.Offset, segment.Count).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="message"/> as a frame of <paramref name="streamId"/>.</summary>
    public Task SendAsync(uint streamId, ControlMessage message) => SendAsync(message.ToWriter(streamId));

    /// <summary>Reads the next frame of <paramref name="streamId"/> whose payload is fields; an ERROR frame becomes an exception.</summary>
    public async Task<(FrameType Type, FieldSet Fields)> ReadResponseAsync(uint streamId)
    {
        var header = await ReadHeaderAsync(streamId).ConfigureAwait(false);
        if (header.Type == FrameType.Data)
        {
            throw Violation($"a DATA frame where a response was expected on stream {streamId}");
        }
        var fields = await ReadFieldsAsync(header).ConfigureAwait(false);
        if (header.Type == FrameType.Error)
        {
            throw ServerError(header, fields);
        }
        return (header.Type, fields);
    }

    /// <summary>Reads a response and checks that it is of the expected type.</summary>
    public async Task<FieldSet> ExpectAsync(uint streamId, FrameType expected)
    {
        var (type, fields) = await ReadResponseAsync(streamId).ConfigureAwait(false);
        return type == expected ? fields : throw Violation($"a {type} frame where {expected} was expected");
    }

    /// <summary>
    /// Sends a body of exactly <paramref name="length"/> bytes read from <paramref name="source"/>, adding them to
    /// <paramref name="hash"/>, then END with the hash as its trailer. Cancellation before END sends no END, so the
    /// server keeps a resumable partial file.
    /// </summary>
    public async Task<byte[]> SendBodyAsync(uint streamId, Stream source, long length, TransferHash hash, Action<long> onProgress, CancellationToken cancellationToken)
    {
        // The chunk is read behind room for the header, which is then written in front of it: one write, no copy.
        int headerSize = FrameHeader.Size(ProtocolVersion);
        int start = ProtocolConstants.ChecksummedHeaderSize - headerSize;
        // Rented, and no larger than the body: a new 256 KiB array per file lands on the large object heap, and a script
        // that sends thousands of small files then spends its time in full collections (in pwsh, 4 ms a 4 KiB file).
        var buffer = ArrayPool<byte>.Shared.Rent(ProtocolConstants.ChecksummedHeaderSize + (int)Math.Min(ProtocolConstants.DataChunkSize, length));
        long sent = 0;
        try
        {
            while (sent < length)
            {
                int wanted = (int)Math.Min(ProtocolConstants.DataChunkSize, length - sent);
                int read = await source.ReadAsync(buffer, ProtocolConstants.ChecksummedHeaderSize, wanted).ConfigureAwait(false);
                if (read == 0)
                {
                    // The local file shrank after its length was announced; END now and the server answers LengthMismatch.
                    break;
                }
                hash.Append(buffer, ProtocolConstants.ChecksummedHeaderSize, read);
                new FrameHeader(FrameType.Data, streamId, read).Write(buffer.AsSpan(start), ProtocolVersion, buffer.AsSpan(ProtocolConstants.ChecksummedHeaderSize, read));
                await WriteAsync(buffer, start, headerSize + read).ConfigureAwait(false);
                sent += read;
                onProgress(sent);
            }
        }
        finally
        {
            // Every write on it has ended (awaited, or failed): nothing still reads the array.
            ArrayPool<byte>.Shared.Return(buffer);
        }
        cancellationToken.ThrowIfCancellationRequested();
        byte[] digest = hash.GetHash();
        await SendAsync(streamId, new EndTrailer(TransferHash.WireName(hash.Algorithm), digest)).ConfigureAwait(false);
        return digest;
    }

    /// <summary>
    /// Receives a body of exactly <paramref name="length"/> bytes into <paramref name="destination"/>, adding them to
    /// <paramref name="hash"/>, through its END; returns the END trailer. Each DATA payload is read whole and checked
    /// (from version 2 on) before any of it is hashed or written, so a damaged chunk never reaches the file.
    /// </summary>
    public async Task<FieldSet> ReceiveBodyAsync(uint streamId, Stream destination, long length, TransferHash hash, Action<long> onProgress)
    {
        // Rented, as in SendBodyAsync; a frame the server chose to make larger gets a larger one.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ProtocolConstants.DataChunkSize, Math.Max(length, 1)));
        long received = 0;
        try
        {
            while (true)
            {
                var header = await ReadHeaderAsync(streamId).ConfigureAwait(false);
                if (header.Type != FrameType.Data)
                {
                    var fields = await ReadFieldsAsync(header).ConfigureAwait(false);
                    if (header.Type == FrameType.Error)
                    {
                        // Ends the exchange in place of the rest of the body; the connection stays in step.
                        throw ServerError(header, fields);
                    }
                    if (header.Type != FrameType.End)
                    {
                        throw Violation($"a {header.Type} frame inside a body");
                    }
                    return received == length ? fields : throw Violation($"a body of {received} bytes where {length} were announced");
                }
                if (header.PayloadLength > length - received)
                {
                    throw Violation($"a body longer than the {length} bytes announced");
                }
                if (header.PayloadLength > buffer.Length)
                {
                    // Senders use 256 KiB chunks; a peer may send up to the 1 MiB limit.
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(header.PayloadLength);
                }
                int chunk = header.PayloadLength;
                await ReadExactAsync(buffer, 0, chunk).ConfigureAwait(false);
                CheckOrBreak(header, buffer);
                hash.Append(buffer, 0, chunk);
                await destination.WriteAsync(buffer, 0, chunk).ConfigureAwait(false);
                received += chunk;
                onProgress(received);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Closes the socket; any pending read or write fails at once.</summary>
    public void Dispose()
    {
        IsBroken = true;
        _client.Dispose();
        _tls?.Dispose();
    }

    private async Task<FrameHeader> ReadHeaderAsync(uint streamId)
    {
        int size = FrameHeader.Size(ProtocolVersion);
        await ReadExactAsync(_header, 0, size).ConfigureAwait(false);
        FrameHeader header;
        try
        {
            var bytes = new ReadOnlySequence<byte>(_header, 0, size);
            FrameReader.TryReadHeader(ref bytes, ProtocolVersion, out header);
        }
        catch (FtpException e)
        {
            IsBroken = true;
            throw new FtpException(FtpStatus.MalformedFrame, $"The server at {_peer} sent a bad frame: {e.Message}", e);
        }
        bool fatal = header.Type == FrameType.Error && header.StreamId == 0;
        return header.StreamId == streamId || fatal ? header : throw Violation($"a frame for stream {header.StreamId} while waiting for stream {streamId}");
    }

    /// <summary>Reads a fields payload; one whose checksum fails is never parsed, let alone trusted.</summary>
    private async Task<FieldSet> ReadFieldsAsync(FrameHeader header)
    {
        var payload = new byte[header.PayloadLength];
        await ReadExactAsync(payload, 0, payload.Length).ConfigureAwait(false);
        CheckOrBreak(header, payload);
        try
        {
            return FieldSet.Parse(payload);
        }
        catch (FtpException e)
        {
            throw Violation(e.Message);
        }
    }

    private void CheckOrBreak(FrameHeader header, byte[] buffer)
    {
        try
        {
            var bytes = new ReadOnlySequence<byte>(buffer, 0, header.PayloadLength);
            FrameReader.TryReadPayload(ref bytes, header, out _);
        }
        catch (FtpException e)
        {
            IsBroken = true;
            throw new FtpException(FtpStatus.MalformedFrame, $"The server at {_peer} sent a bad frame: {e.Message}", e);
        }
    }

    private FtpException ServerError(FrameHeader header, FieldSet fields)
    {
        if (header.StreamId == 0)
        {
            IsBroken = true;
        }
        return ErrorAnswer.Read(fields).ToException();
    }

    private FtpException Violation(string what)
    {
        IsBroken = true;
        return new FtpException(FtpStatus.MalformedFrame, $"The server at {_peer} broke the protocol: it sent {what}.");
    }

    private async Task ReadExactAsync(byte[] buffer, int offset, int count)
    {
        while (count > 0)
        {
            int read;
            try
            {
                read = await _input.ReadAsync(buffer, offset, count).ConfigureAwait(false);
            }
            catch (Exception e) when (IsNetworkFault(e))
            {
                throw Lost(e);
            }
            if (read == 0)
            {
                throw Lost(null);
            }
            offset += read;
            count -= read;
            _watchdog?.Touch();
        }
    }

    private async Task WriteAsync(byte[] buffer, int offset, int count)
    {
        try
        {
            await _output.WriteAsync(buffer, offset, count).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkFault(e))
        {
            throw Lost(e);
        }
        _watchdog?.Touch();
    }

    private FtpConnectionException Lost(Exception? cause)
    {
        IsBroken = true;
        return new FtpConnectionException(
            cause is null ? $"The server at {_peer} closed the connection." : $"The connection to {_peer} was lost: {cause.Message}",
            cause);
    }

    private static bool IsNetworkFault(Exception e) => e is IOException or SocketException or ObjectDisposedException or InvalidOperationException;

    private static bool IsTransientConnectFailure(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode is
            SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.TryAgain or SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.NetworkDown
            or SocketError.OperationAborted or SocketError.Interrupted;

    /// <summary>An operation's cancellation and no-progress watch over this connection.</summary>
    internal sealed class OperationScope : IDisposable
    {
        private readonly FtpConnection _connection;
        private readonly TimeSpan _timeout;
        private readonly TimeProvider _clock;
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenRegistration _registration;
        private readonly ProgressWatchdog _watchdog;

        internal OperationScope(FtpConnection connection, FtpSessionOptions options, TimeSpan timeout, bool touchOnProgress, CancellationToken cancellationToken)
        {
            _connection = connection;
            _timeout = timeout;
            _clock = options.TimeProvider;
            _cancellationToken = cancellationToken;
            _watchdog = new ProgressWatchdog(options.TimeProvider, timeout, connection.Dispose);
            connection._watchdog = touchOnProgress ? _watchdog : null;
            _registration = cancellationToken.Register(connection.Dispose);
        }

        /// <summary>
        /// Explains a failure: a cancelled token becomes <see cref="OperationCanceledException"/>, a stall
        /// <see cref="FtpTimeoutException"/>; connection faults are marked transient unless the request may have taken effect.
        /// </summary>
        public Exception Translate(Exception e, bool mayHaveTakenEffect)
        {
            if (_cancellationToken.IsCancellationRequested)
            {
                return e as OperationCanceledException ?? new OperationCanceledException("The operation was cancelled.", e, _cancellationToken);
            }
            if (_watchdog.Fired)
            {
                return new FtpTimeoutException($"{_connection._peer} made no progress for {_timeout.TotalSeconds:0.###} s.") { IsTransient = !mayHaveTakenEffect };
            }
            if (e is FtpConnectionException lost && mayHaveTakenEffect)
            {
                lost.IsTransient = false;
            }
            return e;
        }

        public void Dispose()
        {
            _registration.Dispose();
            _watchdog.Dispose();
            _connection._watchdog = null;
        }
    }
}
