using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// A client that speaks raw frames, built from the protocol's own types, and can misbehave on purpose. It speaks
/// version 1 unless asked for another: the hand-made frames of many tests are version 1 frames, and version 1 clients
/// are still served.
/// </summary>
internal sealed class RawClient : IDisposable
{
    /// <summary>How long any single wait may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte _version;
    private uint _lastStreamId;

    private RawClient(TcpClient client, byte version)
    {
        _client = client;
        _stream = client.GetStream();
        _version = version;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_client.Client.LocalEndPoint!;

    /// <summary>
    /// Connects, from <paramref name="local"/> when given (127.0.0.2 is another client address on the loopback interface),
    /// and sends <paramref name="preamble"/> first when given (a PROXY protocol header, as HAProxy would).
    /// </summary>
    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint, bool handshake = true, byte version = ProtocolConstants.MinVersion, IPAddress? local = null, byte[]? preamble = null)
    {
        var tcp = local is null ? new TcpClient() : new TcpClient(new IPEndPoint(local, 0));
        tcp.NoDelay = true;
        await tcp.ConnectAsync(endPoint.Address, endPoint.Port);
        var client = new RawClient(tcp, version);
        if (preamble is not null)
        {
            await client.SendAsync(preamble);
        }
        if (handshake)
        {
            var hello = new byte[ProtocolConstants.HandshakeSize];
            Handshake.WriteHello(hello, ProtocolConstants.MinVersion, version);
            await client.SendAsync(hello);
            Assert.Equal(version, Handshake.ReadReply(await client.ReadBytesAsync(ProtocolConstants.HandshakeSize)));
        }
        return client;
    }

    public uint NextStreamId() => ++_lastStreamId;

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(bytes, cancel.Token);
    }

    /// <summary>Sends <paramref name="message"/> on <paramref name="streamId"/>, written by its own type as the real client writes it.</summary>
    public Task SendAsync(uint streamId, ControlMessage message) => SendAsync(message.ToWriter(streamId).ToFrame(_version));

    /// <summary>Sends a frame built field by field: only for a request that no message type writes, on purpose.</summary>
    public Task SendAsync(FieldWriter frame) => SendAsync(frame.ToFrame(_version));

    public Task SendDataAsync(uint streamId, ReadOnlyMemory<byte> payload) => SendAsync(DataFrame(streamId, payload.Span));

    /// <summary>A whole DATA frame in this client's version.</summary>
    public byte[] DataFrame(uint streamId, ReadOnlySpan<byte> payload)
    {
        int headerSize = FrameHeader.Size(_version);
        var frame = new byte[headerSize + payload.Length];
        new FrameHeader(FrameType.Data, streamId, payload.Length).Write(frame, _version, payload);
        payload.CopyTo(frame.AsSpan(headerSize));
        return frame;
    }

    public async Task<byte[]> ReadBytesAsync(int count)
    {
        var buffer = new byte[count];
        using var cancel = new CancellationTokenSource(Timeout);
        await _stream.ReadExactlyAsync(buffer, cancel.Token);
        return buffer;
    }

    public Task<Frame> ReadFrameAsync() => Frame.ReadAsync(async buffer =>
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await _stream.ReadExactlyAsync(buffer, cancel.Token);
    }, _version);

    /// <summary>Reads a frame and checks its type (showing an unexpected ERROR's message on failure).</summary>
    public async Task<Frame> ExpectAsync(FrameType type, uint streamId)
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame.Type == type && frame.StreamId == streamId, $"Expected {type} on stream {streamId}, got {frame}.");
        return frame;
    }

    /// <summary>Reads an ERROR and checks its stream and status.</summary>
    public async Task<Frame> ExpectErrorAsync(uint streamId, FtpStatus status)
    {
        var frame = await ExpectAsync(FrameType.Error, streamId);
        Assert.Equal(status, frame.Status);
        return frame;
    }

    /// <summary>Sends a request on a new stream and returns the first answer.</summary>
    public async Task<Frame> RequestAsync(ControlMessage request)
    {
        uint id = NextStreamId();
        await SendAsync(id, request);
        var frame = await ReadFrameAsync();
        Assert.Equal(id, frame.StreamId);
        return frame;
    }

    /// <summary>Sends AUTH with a user name and password; returns its stream id (the answer is the caller's to read).</summary>
    public async Task<uint> SendAuthAsync(string user, string password)
    {
        uint id = NextStreamId();
        await SendAsync(id, new AuthRequest(user, password));
        return id;
    }

    /// <summary>Logs in and returns the answer, checking it is for the AUTH's stream.</summary>
    public async Task<Frame> AuthAsync(string user, string password)
    {
        uint id = await SendAuthAsync(user, password);
        var frame = await ReadFrameAsync();
        Assert.Equal(id, frame.StreamId);
        return frame;
    }

    /// <summary>An UPLOAD with the resume and integrity fields, as a client sends it (XXH128 unless told); a null id leaves it out.</summary>
    public static UploadRequest ResumableUploadRequest(string fileName, long length, string? uploadId, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128, bool retry = false, ConflictMode conflict = ConflictMode.Rename, string path = "") =>
        new(path, fileName, length, conflict, uploadId, retry, algorithm);

    /// <summary>Sends body bytes as DATA frames of at most <paramref name="chunkSize"/> bytes.</summary>
    public async Task SendBodyAsync(uint streamId, ReadOnlyMemory<byte> body, int chunkSize = ProtocolConstants.DataChunkSize)
    {
        for (int offset = 0; offset < body.Length; offset += chunkSize)
        {
            await SendDataAsync(streamId, body.Slice(offset, Math.Min(chunkSize, body.Length - offset)));
        }
    }

    /// <summary>Sends END with an optional hash trailer.</summary>
    public Task SendEndAsync(uint streamId, string? hashAlgorithm = null, byte[]? hash = null) => SendAsync(streamId, new EndTrailer(hashAlgorithm, hash));

    /// <summary>
    /// A resumable upload as a client does it: request, READY, the body from READY's offset, END with the whole file's
    /// XXH128; returns READY's offset and the final answer (or the ERROR that came instead of READY, with offset -1).
    /// </summary>
    public async Task<(long Offset, Frame Answer)> ResumableUploadAsync(string fileName, byte[] content, string uploadId, byte[]? trailerHash = null)
    {
        uint id = NextStreamId();
        await SendAsync(id, ResumableUploadRequest(fileName, content.Length, uploadId));
        var ready = await ReadFrameAsync();
        if (ready.Type != FrameType.Ready)
        {
            return (-1, ready);
        }
        long offset = ready.Fields.GetInt64(FieldTag.Offset);
        await SendBodyAsync(id, content.AsMemory((int)offset));
        await SendEndAsync(id, "XXH128", trailerHash ?? System.IO.Hashing.XxHash128.Hash(content));
        return (offset, await ReadFrameAsync());
    }

    /// <summary>A whole download from a request with its resume and integrity fields: READY, the body and the END frame.</summary>
    public async Task<(Frame Ready, byte[] Body, Frame End)> DownloadAsync(DownloadRequest request)
    {
        uint streamId = NextStreamId();
        await SendAsync(streamId, request);
        var ready = await ExpectAsync(FrameType.Ready, streamId);
        var body = new MemoryStream();
        while (true)
        {
            var frame = await ReadFrameAsync();
            Assert.Equal(streamId, frame.StreamId);
            if (frame.Type == FrameType.End)
            {
                return (ready, body.ToArray(), frame);
            }
            Assert.Equal(FrameType.Data, frame.Type);
            body.Write(frame.Payload);
        }
    }

    /// <summary>A whole upload: request, READY, the body in protocol-sized chunks, END; returns the final answer.</summary>
    public async Task<Frame> UploadAsync(string path, string? fileName, ReadOnlyMemory<byte> content, ConflictMode conflict = ConflictMode.Rename, int chunkSize = ProtocolConstants.DataChunkSize)
    {
        uint id = NextStreamId();
        await SendAsync(id, new UploadRequest(path, fileName, content.Length, conflict));
        var ready = await ReadFrameAsync();
        if (ready.Type != FrameType.Ready)
        {
            return ready;
        }
        for (int offset = 0; offset < content.Length; offset += chunkSize)
        {
            await SendDataAsync(id, content.Slice(offset, Math.Min(chunkSize, content.Length - offset)));
        }
        await SendEndAsync(id);
        return await ReadFrameAsync();
    }

    /// <summary>A whole download: returns the READY frame and the body, checking DATA sizes and END.</summary>
    public async Task<(Frame Ready, byte[] Body, int DataFrames)> DownloadAsync(string path)
    {
        var ready = await RequestAsync(new DownloadRequest(path));
        Assert.True(ready.Type == FrameType.Ready, $"Expected READY, got {ready}.");
        long length = ready.Fields.GetInt64(FieldTag.Length);
        var body = new MemoryStream();
        int frames = 0;
        while (true)
        {
            var frame = await ReadFrameAsync();
            Assert.Equal(ready.StreamId, frame.StreamId);
            if (frame.Type == FrameType.End)
            {
                break;
            }
            Assert.Equal(FrameType.Data, frame.Type);
            Assert.True(frame.Payload.Length <= ProtocolConstants.DataChunkSize);
            body.Write(frame.Payload);
            frames++;
        }
        Assert.Equal(length, body.Length);
        return (ready, body.ToArray(), frames);
    }

    /// <summary>Waits until the server closes the connection: a read returns nothing or the connection is reset.</summary>
    public async Task ExpectClosedAsync()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cancel.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
    }

    /// <summary>Tells the server this side sends no more, as a client does after a fatal error.</summary>
    public void ShutdownSend() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Vanishes without a goodbye: the connection is reset.</summary>
    public void Abort()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Dispose();
    }

    public void Dispose() => _client.Dispose();
}
