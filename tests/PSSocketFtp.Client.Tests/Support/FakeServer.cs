using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client.Tests.Support;

/// <summary>
/// A scripted server on 127.0.0.1 (port 0 unless given): performs the handshake, records every frame it receives and
/// passes each request to <see cref="Handler"/>, which answers as the test wants (or not at all). Written with the
/// protocol types so that it speaks the same wire format as the real server, without being it.
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Frame> _requests = new();
    private readonly ConcurrentQueue<Exception> _faults = new();
    private readonly List<FakeConnection> _connections = new();
    private readonly Task _acceptLoop;

    private FakeServer(int port, Func<FakeConnection, Frame, Task>? handler)
    {
        Handler = handler ?? AnswerDefaultAsync;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Starts listening; on port 0 the system picks a free port (read it back from <see cref="Port"/>).</summary>
    public static FakeServer Start(Func<FakeConnection, Frame, Task>? handler = null, int port = 0) => new(port, handler);

    /// <summary>A port nobody listens on right now, for "connection refused" (and to start a server on later).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public int Port { get; }

    /// <summary>Answers one request frame (data frames of an upload body are the handler's to read).</summary>
    public Func<FakeConnection, Frame, Task> Handler { get; set; }

    /// <summary>When set, each connection starts with a TLS handshake using this certificate.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; set; }

    /// <summary>The highest protocol version this fake speaks: 1 plays a server from before version 2.</summary>
    public byte MaxVersion { get; set; } = ProtocolConstants.Version;

    /// <summary>What the handshake reply says; null answers with the version the client asked for.</summary>
    public (byte Version, FtpStatus Status)? HandshakeReply { get; set; }

    /// <summary>How many connections, from the first, get <see cref="HandshakeReply"/>; later ones are answered normally.</summary>
    public int HandshakeReplyCount { get; set; } = int.MaxValue;

    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Every request frame received, over all connections, in order.</summary>
    public IReadOnlyList<Frame> Requests => _requests.ToArray();

    /// <summary>Exceptions the scripts threw other than the client going away; a test may assert there were none.</summary>
    public IReadOnlyList<Exception> Faults => _faults.ToArray();

    public int CountRequests(FrameType type) => _requests.Count(f => f.Type == type);

    /// <summary>Options for a session to this server: no real waits anywhere, time comes from <paramref name="clock"/>.</summary>
    public FtpSessionOptions Options(TimeProvider clock, int retryCount = 3) => new()
    {
        ComputerName = "127.0.0.1",
        Port = Port,
        RetryCount = retryCount,
        TimeProvider = clock,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        NoProgressTimeout = TimeSpan.FromSeconds(30),
        IdleTimeout = TimeSpan.FromMinutes(5),
        RetryDelay = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromSeconds(4),
    };

    /// <summary>The hash of some bytes, as the real server would compute it.</summary>
    public static byte[] HashOf(byte[] bytes, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128)
    {
        using var hash = TransferHash.Create(algorithm);
        hash.Append(bytes, 0, bytes.Length);
        return hash.GetHash();
    }

    /// <summary>A server that refuses every <paramref name="type"/> request with <paramref name="status"/> and answers the rest by default.</summary>
    public static FakeServer StartRefusing(FrameType type, FtpStatus status, string? path = null) =>
        Start(async (c, request) =>
        {
            if (request.Type == type)
            {
                await c.ErrorAsync(request, status, path);
                return;
            }
            await AnswerDefaultAsync(c, request);
        });

    /// <summary>
    /// A server that takes each upload's body and drops the connection after its END, so the answer is lost, and answers
    /// the upload sent again with Retry = 1 from its record: OK with <paramref name="record"/>.
    /// </summary>
    public static FakeServer StartLosingUploadAnswers(UploadAnswer record) =>
        Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await AnswerDefaultAsync(c, request);
                return;
            }
            if (request.Fields.GetBoolean(FieldTag.Retry))
            {
                await c.ReplyAsync(request, record);
                return;
            }
            await c.AcceptBodyAsync(request);
            c.Close();
        });

    /// <summary>What a well-behaved server does for requests a test does not script: PING and BYE.</summary>
    public static async Task AnswerDefaultAsync(FakeConnection connection, Frame request)
    {
        switch (request.Type)
        {
            case FrameType.Ping:
                await connection.ReplyAsync(request, new PingAnswer("FakeServer/1.0"));
                break;
            case FrameType.Bye:
                await connection.ReplyAsync(request, EmptyMessage.Ok);
                connection.Close();
                break;
            default:
                await connection.SendAsync(0, new ErrorAnswer(FtpStatus.UnknownRequest, $"The fake server has no script for {request.Type}."));
                connection.Close();
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        FakeConnection[] connections;
        lock (_connections)
        {
            connections = _connections.ToArray();
        }
        foreach (var connection in connections)
        {
            connection.Close();
        }
        await Task.WhenAll(connections.Select(c => c.Loop).Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_connections)
            {
                var connection = new FakeConnection(client, _connections.Count + 1);
                _connections.Add(connection);
                connection.Loop = ServeAsync(connection);
            }
        }
    }

    private async Task ServeAsync(FakeConnection connection)
    {
        await Task.Yield();
        try
        {
            if (Certificate is { } certificate)
            {
                await connection.StartTlsAsync(certificate);
            }
            var hello = await connection.ReadExactAsync(ProtocolConstants.HandshakeSize);
            byte version = Handshake.ReadHello(hello, MaxVersion);
            var forced = connection.Number <= HandshakeReplyCount ? HandshakeReply : null;
            var (replyVersion, status) = forced ?? (version, version == 0 ? FtpStatus.UnsupportedVersion : FtpStatus.Ok);
            var reply = new byte[ProtocolConstants.HandshakeSize];
            Handshake.WriteReply(reply, replyVersion, status);
            await connection.SendAsync(reply);
            if (status != FtpStatus.Ok)
            {
                return;
            }
            connection.Version = replyVersion;
            while (!connection.IsClosed)
            {
                var request = await connection.ReadFrameAsync();
                _requests.Enqueue(request);
                await Handler(connection, request);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            // The client went away (or the test closed the connection): that ends this connection's script.
        }
        catch (Exception e)
        {
            _faults.Enqueue(e);
        }
        finally
        {
            connection.Close();
        }
    }
}

/// <summary>The server side of one accepted connection, for scripts to read and write frames.</summary>
internal sealed class FakeConnection
{
    private readonly TcpClient _client;
    private Stream _stream;
    private int _closed;

    public FakeConnection(TcpClient client, int number)
    {
        _client = client;
        _stream = client.GetStream();
        Number = number;
    }

    /// <summary>1 for the first connection the server accepted, 2 for the next, ….</summary>
    public int Number { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>The protocol version agreed in the handshake, which decides the frame format.</summary>
    public byte Version { get; internal set; } = ProtocolConstants.MinVersion;

    internal Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Performs the server side of a TLS handshake; the connection's frames then go through it.</summary>
    internal async Task StartTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var tls = new System.Net.Security.SslStream(_stream);
        await tls.AuthenticateAsServerAsync(certificate);
        _stream = tls;
    }

    public Task<Frame> ReadFrameAsync() => Frame.ReadAsync(buffer => _stream.ReadExactlyAsync(buffer).AsTask(), Version);

    /// <summary>Answers an upload READY from byte 0 and reads its body: the DATA frames up to its END.</summary>
    public async Task<List<Frame>> AcceptBodyAsync(Frame request)
    {
        await ReplyAsync(request, new ReadyAnswer(0));
        return await ReadBodyAsync(request.StreamId);
    }

    /// <summary>Reads an upload body: the DATA frames of <paramref name="streamId"/> up to its END.</summary>
    public async Task<List<Frame>> ReadBodyAsync(uint streamId)
    {
        var frames = new List<Frame>();
        while (true)
        {
            var frame = await ReadFrameAsync();
            if (frame.StreamId != streamId)
            {
                throw new InvalidDataException($"A frame for stream {frame.StreamId} inside the body of stream {streamId}.");
            }
            frames.Add(frame);
            if (frame.Type == FrameType.End)
            {
                return frames;
            }
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends <paramref name="message"/> on <paramref name="streamId"/>, written by its own type as the real server writes it.</summary>
    public Task SendAsync(uint streamId, ControlMessage message) => SendAsync(message.ToWriter(streamId).ToFrame(Version));

    /// <summary>Answers <paramref name="request"/> on its stream.</summary>
    public Task ReplyAsync(Frame request, ControlMessage answer) => SendAsync(request.StreamId, answer);

    public Task ErrorAsync(Frame request, FtpStatus status, string? path = null) => ReplyAsync(request, new ErrorAnswer(status, $"Fake {status}.", path));

    /// <summary>Ends a download body with its trailer: the hash of <paramref name="file"/>, the whole file.</summary>
    public Task EndAsync(uint streamId, byte[] file, FtpHashAlgorithm algorithm = FtpHashAlgorithm.XxHash128) =>
        SendAsync(streamId, new EndTrailer(TransferHash.WireName(algorithm), FakeServer.HashOf(file, algorithm)));

    public async Task SendDataAsync(uint streamId, ReadOnlyMemory<byte> data)
    {
        int headerSize = FrameHeader.Size(Version);
        var frame = new byte[headerSize + data.Length];
        new FrameHeader(FrameType.Data, streamId, data.Length).Write(frame, Version, data.Span);
        data.CopyTo(frame.AsMemory(headerSize));
        await SendAsync(frame);
    }

    /// <summary>Sends a download body as the real server does: DATA frames of at most a chunk each.</summary>
    public async Task SendBodyAsync(uint streamId, ReadOnlyMemory<byte> body)
    {
        for (int offset = 0; offset < body.Length; offset += ProtocolConstants.DataChunkSize)
        {
            await SendDataAsync(streamId, body.Slice(offset, Math.Min(ProtocolConstants.DataChunkSize, body.Length - offset)));
        }
    }

    /// <summary>Closes the socket, as a crashing server or a broken network would.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _client.Dispose();
        }
    }

    internal async Task<byte[]> ReadExactAsync(int count)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
