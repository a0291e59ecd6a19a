using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// One TCP connection after a successful handshake: frame-level reads and writes. Every network failure surfaces as
/// <see cref="FtpConnectionException"/>, so callers can tell it from local I/O errors. From protocol version 3 many
/// operations use it at once, each on its own stream: writes go out a whole frame at a time under a lock, and whoever
/// needs a frame reads the next one, keeping frames of other streams for their owners (see <see cref="NextFrameAsync"/>).
/// In versions 1 and 2 the session runs one operation at a time on it (<see cref="Exclusive"/>).
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
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Frames read by one operation for another's stream (version 3), until their owner takes them.
    private readonly Dictionary<uint, Queue<ReceivedFrame>> _parked = [];
    private int _lastStreamId;
    // The no-progress watches of the operations on this connection: bytes moving in either direction count for all of them.
    private ProgressWatchdog[] _watchdogs = [];
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
        using var scope = new OperationScope(connection, peer, options, options.ConnectTimeout, touchOnProgress: false, cancellationToken);
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
            await connection.WriteFrameAsync(hello, 0, hello.Length).ConfigureAwait(false);
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

    /// <summary>Whether many operations may use the connection at once (protocol version 3 and later).</summary>
    public bool IsMultiplexed => ProtocolVersion >= ProtocolConstants.MultiplexVersion;

    /// <summary>Held by an operation for its whole run when the connection is not multiplexed: one request at a time.</summary>
    public SemaphoreSlim Exclusive { get; } = new(1, 1);

    /// <summary>How many operations are using the connection; one in use is never closed as idle.</summary>
    public int Users;

    /// <summary>A new stream id for the next request.</summary>
    public uint NextStreamId() => (uint)Interlocked.Increment(ref _lastStreamId);

    /// <summary>
    /// Ties an operation to the connection: cancelling the token, or going a whole timeout without progress,
    /// aborts the socket so that any pending read or write ends at once (on every runtime). On a multiplexed connection
    /// that ends the other operations' tries too; they are retried on a new connection.
    /// </summary>
    public OperationScope BeginOperation(FtpSessionOptions options, CancellationToken cancellationToken) =>
        new(this, _peer, options, options.NoProgressTimeout, touchOnProgress: true, cancellationToken);

    /// <summary>Counts local work for the operations (hashing a file's prefix) as progress.</summary>
    public void Touch()
    {
        foreach (var watchdog in Volatile.Read(ref _watchdogs))
        {
            watchdog.Touch();
        }
    }

    /// <summary>Adds an operation's no-progress watch, to be touched by every byte that moves.</summary>
    public void Watch(ProgressWatchdog watchdog)
    {
        lock (_parked)
        {
            _watchdogs = [.. _watchdogs, watchdog];
        }
    }

    /// <summary>Removes an operation's no-progress watch.</summary>
    public void Unwatch(ProgressWatchdog watchdog)
    {
        lock (_parked)
        {
            _watchdogs = _watchdogs.Where(w => w != watchdog).ToArray();
        }
    }

    /// <summary>Finishes the frame in the agreed version (with its checksums from version 2 on) and sends it.</summary>
    public async Task SendAsync(FieldWriter writer)
    {
        var frame = writer.ToFrame(ProtocolVersion);
        if (!MemoryMarshal.TryGetArray(frame, out var segment))
        {
            segment = new ArraySegment<byte>(frame.ToArray());
        }
        await WriteFrameAsync(segment.Array!, segment.Offset, segment.Count).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="message"/> as a frame of <paramref name="streamId"/>.</summary>
    public Task SendAsync(uint streamId, ControlMessage message) => SendAsync(message.ToWriter(streamId));

    /// <summary>Reads the next frame of <paramref name="streamId"/> whose payload is fields; an ERROR frame becomes an exception.</summary>
    public async Task<(FrameType Type, FieldSet Fields)> ReadResponseAsync(uint streamId)
    {
        var frame = await NextFrameAsync(streamId).ConfigureAwait(false);
        if (frame.Header.Type == FrameType.Data)
        {
            frame.Release();
            throw Violation($"a DATA frame where a response was expected on stream {streamId}");
        }
        var fields = FieldsOf(frame);
        if (frame.Header.Type == FrameType.Error)
        {
            throw ServerError(frame.Header, fields);
        }
        return (frame.Header.Type, fields);
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
        bool inline = ReadsInline(source, length);
        try
        {
            while (sent < length)
            {
                int wanted = (int)Math.Min(ProtocolConstants.DataChunkSize, length - sent);
                int read = inline
                    ? source.Read(buffer, ProtocolConstants.ChecksummedHeaderSize, wanted)
                    : await source.ReadAsync(buffer, ProtocolConstants.ChecksummedHeaderSize, wanted).ConfigureAwait(false);
                if (read == 0)
                {
                    // The local file shrank after its length was announced; END now and the server answers LengthMismatch.
                    break;
                }
                hash.Append(buffer, ProtocolConstants.ChecksummedHeaderSize, read);
                new FrameHeader(FrameType.Data, streamId, read).Write(buffer.AsSpan(start), ProtocolVersion, buffer.AsSpan(ProtocolConstants.ChecksummedHeaderSize, read));
                await WriteFrameAsync(buffer, start, headerSize + read).ConfigureAwait(false);
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
        long received = 0;
        bool inline = ReadsInline(destination, length);
        while (true)
        {
            var frame = await NextFrameAsync(streamId).ConfigureAwait(false);
            var header = frame.Header;
            if (header.Type != FrameType.Data)
            {
                var fields = FieldsOf(frame);
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
            try
            {
                if (header.PayloadLength > length - received)
                {
                    throw Violation($"a body longer than the {length} bytes announced");
                }
                int chunk = header.PayloadLength;
                hash.Append(frame.Payload, 0, chunk);
                if (inline)
                {
                    destination.Write(frame.Payload, 0, chunk);
                }
                else
                {
                    await destination.WriteAsync(frame.Payload, 0, chunk).ConfigureAwait(false);
                }
                received += chunk;
                onProgress(received);
            }
            finally
            {
                frame.Release();
            }
        }
    }

    /// <summary>
    /// Whether a body of <paramref name="length"/> bytes is read from or written to <paramref name="file"/> at once rather
    /// than awaited: a local file's body of at most <see cref="InlineFileBody"/> bytes. On Linux every FileStream
    /// ReadAsync and WriteAsync is a trip through the thread pool, which for thousands of small files cost more CPU
    /// (waking workers, and their spinning) than the bytes themselves; a few pages of a local file block no one for long.
    /// </summary>
    private static bool ReadsInline(Stream file, long length) => file is FileStream && length <= InlineFileBody;

    private const int InlineFileBody = 64 * 1024;

    /// <summary>Closes the socket; any pending read or write fails at once.</summary>
    public void Dispose()
    {
        IsBroken = true;
        _client.Dispose();
        _tls?.Dispose();
    }

    /// <summary>
    /// The next frame of <paramref name="streamId"/> (or a fatal ERROR on stream 0). Whoever needs a frame and finds none
    /// kept for it reads the next one from the socket, under the read lock; on a multiplexed connection a frame of
    /// another open stream is kept for its owner, who takes it when its turn at the lock comes. In versions 1 and 2 a
    /// frame of another stream is the server breaking the protocol, as only one request is in flight.
    /// </summary>
    private async Task<ReceivedFrame> NextFrameAsync(uint streamId)
    {
        while (true)
        {
            if (TryTakeParked(streamId, out var kept))
            {
                return kept;
            }
            await _readLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (TryTakeParked(streamId, out kept))
                {
                    return kept;
                }
                var frame = await ReadFrameAsync().ConfigureAwait(false);
                uint owner = frame.Header.StreamId;
                bool fatal = frame.Header.Type == FrameType.Error && owner == 0;
                if (owner == streamId || fatal)
                {
                    return frame;
                }
                if (!IsMultiplexed || owner == 0 || owner > (uint)Volatile.Read(ref _lastStreamId))
                {
                    frame.Release();
                    throw Violation($"a frame for stream {owner} while waiting for stream {streamId}");
                }
                lock (_parked)
                {
                    if (!_parked.TryGetValue(owner, out var queue))
                    {
                        _parked[owner] = queue = new Queue<ReceivedFrame>();
                    }
                    queue.Enqueue(frame);
                }
            }
            finally
            {
                _readLock.Release();
            }
        }
    }

    private bool TryTakeParked(uint streamId, out ReceivedFrame frame)
    {
        lock (_parked)
        {
            if (_parked.TryGetValue(streamId, out var queue))
            {
                frame = queue.Dequeue();
                if (queue.Count == 0)
                {
                    _parked.Remove(streamId);
                }
                return true;
            }
        }
        frame = default;
        return false;
    }

    /// <summary>
    /// Reads one whole frame; its header and payload checks (from version 2 on) hold before it is returned, so a damaged
    /// frame is never parsed, let alone trusted. A DATA payload is in a rented array (see <see cref="ReceivedFrame.Release"/>).
    /// </summary>
    private async Task<ReceivedFrame> ReadFrameAsync()
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
        var frame = new ReceivedFrame(header, header.Type == FrameType.Data ? ArrayPool<byte>.Shared.Rent(header.PayloadLength) : new byte[header.PayloadLength]);
        try
        {
            await ReadExactAsync(frame.Payload, 0, header.PayloadLength).ConfigureAwait(false);
            var payload = new ReadOnlySequence<byte>(frame.Payload, 0, header.PayloadLength);
            FrameReader.TryReadPayload(ref payload, header, out _);
        }
        catch (Exception e)
        {
            frame.Release();
            if (e is FtpException bad)
            {
                IsBroken = true;
                throw new FtpException(FtpStatus.MalformedFrame, $"The server at {_peer} sent a bad frame: {bad.Message}", bad);
            }
            throw;
        }
        return frame;
    }

    /// <summary>A control frame's payload as fields; fields that do not parse are the server breaking the protocol.</summary>
    private FieldSet FieldsOf(ReceivedFrame frame)
    {
        try
        {
            return FieldSet.Parse(frame.Payload);
        }
        catch (FtpException e)
        {
            throw Violation(e.Message);
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
            Touch();
        }
    }

    /// <summary>Writes a whole frame (or the hello); frames of the operations on a multiplexed connection never mix.</summary>
    private async Task WriteFrameAsync(byte[] buffer, int offset, int count)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _output.WriteAsync(buffer, offset, count).ConfigureAwait(false);
        }
        catch (Exception e) when (IsNetworkFault(e))
        {
            throw Lost(e);
        }
        finally
        {
            _writeLock.Release();
        }
        Touch();
    }

    private FtpConnectionException Lost(Exception? cause)
    {
        IsBroken = true;
        return new FtpConnectionException(
            cause is null ? $"The server at {_peer} closed the connection." : $"The connection to {_peer} was lost: {cause.Message}",
            cause);
    }

    // NotSupportedException: a BufferedStream over a socket stream that another operation's failure disposed meanwhile.
    private static bool IsNetworkFault(Exception e) => e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or NotSupportedException;

    private static bool IsTransientConnectFailure(Exception e) =>
        (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode is
            SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            or SocketError.TryAgain or SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.NetworkDown
            or SocketError.OperationAborted or SocketError.Interrupted;
}
