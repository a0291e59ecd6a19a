using System.Diagnostics;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>Server refusals, protocol violations, lost connections, retries, stalls and cancellation.</summary>
public class FtpSessionFailureTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task GetItemAsync_ServerError_ThrowsWithStatusAndPathAndSessionStaysUsable()
    {
        await using var server = FakeServer.StartRefusing(FrameType.Stat, FtpStatus.NotFound, "missing/file.txt");
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => session.GetItemAsync("missing/file.txt").Soon());
        await session.PingAsync().Soon();

        Assert.Equal(FtpStatus.NotFound, ex.Status);
        Assert.Equal("/missing/file.txt", ex.RemotePath);
        Assert.Equal("Fake NotFound.", ex.Message);
        Assert.Equal(1, server.ConnectionCount); // an orderly refusal keeps the connection
    }

    [Fact]
    public async Task GetItemAsync_NotFound_IsNotRetried()
    {
        await using var server = FakeServer.StartRefusing(FrameType.Stat, FtpStatus.NotFound);
        using var session = await FtpSession.ConnectAsync(server.Options(_clock, retryCount: 5)).Soon();

        await Assert.ThrowsAsync<FtpException>(() => session.GetItemAsync("x").Soon());

        Assert.Equal(1, server.CountRequests(FrameType.Stat));
        Assert.Equal(0, _clock.Delays);
    }

    [Fact]
    public async Task DownloadAsync_ErrorInsteadOfRestOfBody_ThrowsAndSessionStaysUsable()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Download)
            {
                await c.ReplyAsync(request, new ReadyAnswer(0, 10));
                await c.SendDataAsync(request.StreamId, new byte[4]);
                await c.ErrorAsync(request, FtpStatus.AccessDenied, "f");
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => session.DownloadAsync("f", new MemoryStream()).Soon());
        await session.PingAsync().Soon();

        Assert.Equal(FtpStatus.AccessDenied, ex.Status);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task PingAsync_AnswerForWrongStream_IsRetriedOnNewConnectionAndReported()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (c.Number == 1 && request.StreamId == 2)
            {
                await c.SendAsync(request.StreamId + 7, EmptyMessage.Ok);
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        var retries = new List<FtpRetryEventArgs>();
        session.Retrying += (sender, e) =>
        {
            Assert.Same(session, sender);
            lock (retries)
            {
                retries.Add(e);
            }
        };

        await _clock.SkipDelaysAsync(() => Pinged(session), options.MaxRetryDelay).Soon();

        // Damage on the wire is transient: the connection is dropped and the request tried again on a new one.
        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(1, _clock.Delays);
        Assert.True(session.IsConnected);
        // ...and the session says so before it waits: which try failed, why, and for how long it waits (the jitter
        // draws between half and one and a half times the first delay).
        var retry = Assert.Single(retries);
        Assert.Equal(1, retry.FailedTry);
        Assert.InRange(retry.Delay, TimeSpan.FromTicks(options.RetryDelay.Ticks / 2), TimeSpan.FromTicks(options.RetryDelay.Ticks * 3 / 2));
        Assert.Equal(FtpStatus.MalformedFrame, Assert.IsType<FtpException>(retry.Reason).Status);
    }

    [Fact]
    public async Task PingAsync_AnswerForWrongStreamEveryTime_ThrowsMalformedFrameAfterRetryBudget()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.StreamId > 1 || c.Number > 1)
            {
                await c.SendAsync(request.StreamId + 7, EmptyMessage.Ok);
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => Pinged(session), options.MaxRetryDelay).Soon());

        Assert.Equal(FtpStatus.MalformedFrame, ex.Status);
        Assert.Equal(3, server.ConnectionCount);
        Assert.Equal(2, _clock.Delays);
        Assert.False(session.IsConnected);
    }

    [Theory]
    [InlineData(FtpStatus.MalformedFrame)]
    [InlineData(FtpStatus.FrameTooLarge)]
    [InlineData(FtpStatus.UnknownRequest)]
    public Task PingAsync_ServerSaysFrameWasDamaged_IsRetriedOnNewConnection(FtpStatus status) => PingPastBadAnswerAsync(
        async (c, request) =>
        {
            // What the server sends when what it received was damaged: ERROR on stream 0, then it closes.
            await c.SendAsync(0, new ErrorAnswer(status, "damaged"));
            c.Close();
        },
        (server, _) => Assert.Equal(3, server.CountRequests(FrameType.Ping)));

    public static TheoryData<byte[]> Garbage => new()
    {
        "HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), // a length far over the limit
        new byte[] { 0, 0, 0, 4, 0x80, 0, 0, 0, 0, 2, 0x01, 0, 9, (byte)'a' }, // OK whose only field runs past the end
        new byte[] { 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 2 }, // DATA where a response belongs
        new byte[] { 0, 0, 0, 0, 0x83, 0, 0, 0, 0, 2 }, // READY where OK belongs
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public Task PingAsync_GarbageFromServer_IsRetriedOnNewConnection(byte[] bytes) => PingPastBadAnswerAsync(
        (c, _) => c.SendAsync(bytes),
        (_, _) => Assert.Equal(1, _clock.Delays),
        // Version 1 frames (no checksum), so that the garbage reaches the client's parser.
        serverVersion: 1);

    /// <summary>Every byte of a version 2 answer to PING: its 18-byte header and its 21-byte payload.</summary>
    public static TheoryData<int> DamagedAnswerBytes => new(Enumerable.Range(0, ProtocolConstants.ChecksummedHeaderSize + 21));

    [Theory]
    [MemberData(nameof(DamagedAnswerBytes))]
    public Task PingAsync_Version2AnswerDamagedAtAnyByte_IsRetriedOnNewConnection(int position) => PingPastBadAnswerAsync(
        (c, request) =>
        {
            // The connection stays open: only the checksums can tell the client that this answer is not to be trusted.
            var frame = new PingAnswer("FakeServer/1.0").ToWriter(request.StreamId).ToFrame(c.Version).ToArray();
            frame[position] ^= 0x01;
            return c.SendAsync(frame);
        },
        (_, session) => Assert.Equal(ProtocolConstants.Version, session.ProtocolVersion));

    /// <summary>
    /// Connects, has <paramref name="badAnswer"/> answer the first connection's second request (a PING), and pings until
    /// it succeeds: that must take a second connection.
    /// </summary>
    private async Task PingPastBadAnswerAsync(Func<FakeConnection, Frame, Task> badAnswer, Action<FakeServer, FtpSession> check, byte serverVersion = ProtocolConstants.Version)
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (c.Number == 1 && request.StreamId == 2)
            {
                await badAnswer(c, request);
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        server.MaxVersion = serverVersion;
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        await _clock.SkipDelaysAsync(() => Pinged(session), options.MaxRetryDelay).Soon();

        Assert.Equal(2, server.ConnectionCount);
        check(server, session);
    }

    [Fact]
    public async Task ConnectAsync_HandshakeRefusedEveryTime_ThrowsUnsupportedVersionAfterOneMoreTry()
    {
        await using var server = FakeServer.Start();
        server.HandshakeReply = (0, FtpStatus.UnsupportedVersion);

        var ex = await Assert.ThrowsAsync<FtpException>(() => FtpSession.ConnectAsync(server.Options(_clock)).Soon());

        Assert.Equal(FtpStatus.UnsupportedVersion, ex.Status);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task ConnectAsync_HandshakeRefusedOnce_ConnectsOnSecondTry()
    {
        await using var server = FakeServer.Start();
        server.HandshakeReply = (0, FtpStatus.UnsupportedVersion);
        server.HandshakeReplyCount = 1;

        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        Assert.Equal(ProtocolConstants.Version, session.ProtocolVersion);
        Assert.Equal(2, server.ConnectionCount);
    }

    /// <summary>
    /// A server at its connection limit, and replies that only damage explains (a version the client never offered):
    /// both are retried within the budget, then reported.
    /// </summary>
    [Theory]
    [InlineData(0, FtpStatus.ServerBusy, FtpStatus.ServerBusy)]
    [InlineData(0, FtpStatus.Ok, FtpStatus.MalformedFrame)]
    [InlineData(4, FtpStatus.Ok, FtpStatus.MalformedFrame)]
    [InlineData(255, FtpStatus.Ok, FtpStatus.MalformedFrame)]
    public async Task ConnectAsync_RetryableHandshakeReplyEveryTime_RetriesThenThrows(byte version, FtpStatus status, FtpStatus expected)
    {
        await using var server = FakeServer.Start();
        server.HandshakeReply = (version, status);
        var options = server.Options(_clock);
        options.RetryCount = 2;

        var ex = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => FtpSession.ConnectAsync(options), options.MaxRetryDelay));

        Assert.Equal(expected, ex.Status);
        Assert.Equal(3, server.ConnectionCount);
    }

    [Fact]
    public async Task ConnectAsync_ServerChoosesVersionClientNeverOfferedOnce_ConnectsOnRetry()
    {
        await using var server = FakeServer.Start();
        server.HandshakeReply = (7, FtpStatus.Ok);
        server.HandshakeReplyCount = 1;
        var options = server.Options(_clock);

        using var session = await _clock.SkipDelaysAsync(() => FtpSession.ConnectAsync(options), options.MaxRetryDelay);

        Assert.Equal(ProtocolConstants.Version, session.ProtocolVersion);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task ConnectAsync_ServerAppearsAfterRefusals_RetriesWithBackoffOnFakeTime()
    {
        int port = FakeServer.FreePort();
        var options = new FtpSessionOptions
        {
            ComputerName = "127.0.0.1",
            Port = port,
            RetryCount = 5,
            TimeProvider = _clock,
            // Long delays: were any of them waited for real, the elapsed-time assertion below would fail.
            RetryDelay = TimeSpan.FromSeconds(30),
            MaxRetryDelay = TimeSpan.FromMinutes(2),
        };
        var realTime = Stopwatch.StartNew();

        var connecting = FtpSession.ConnectAsync(options);
        await Wait.UntilAsync(() => _clock.Delays == 1 || connecting.IsCompleted, "the first retry delay");
        _clock.Advance(options.MaxRetryDelay);
        await Wait.UntilAsync(() => _clock.Delays == 2 || connecting.IsCompleted, "the second retry delay");
        Assert.False(connecting.IsCompleted);
        await using var server = FakeServer.Start(port: port);
        _clock.Advance(options.MaxRetryDelay);
        using var session = await connecting.Soon();

        Assert.True(session.IsConnected);
        Assert.Equal(2, _clock.Delays); // three attempts: refused, refused, connected
        Assert.Equal(1, server.ConnectionCount);
        Assert.True(realTime.Elapsed < options.RetryDelay, $"Real time passed: {realTime.Elapsed}.");
    }

    [Fact]
    public async Task ConnectAsync_RefusedWithRetryCountZero_ThrowsConnectionExceptionAtOnce()
    {
        var options = new FtpSessionOptions { ComputerName = "127.0.0.1", Port = FakeServer.FreePort(), RetryCount = 0, TimeProvider = _clock };

        await Assert.ThrowsAsync<FtpConnectionException>(() => FtpSession.ConnectAsync(options).Soon());

        Assert.Equal(0, _clock.Delays);
    }

    [Fact]
    public async Task ConnectAsync_RefusedEveryTime_ThrowsConnectionExceptionAfterRetryBudget()
    {
        var options = new FtpSessionOptions { ComputerName = "127.0.0.1", Port = FakeServer.FreePort(), RetryCount = 2, TimeProvider = _clock };

        await Assert.ThrowsAsync<FtpConnectionException>(() => _clock.SkipDelaysAsync(() => FtpSession.ConnectAsync(options), options.MaxRetryDelay));

        Assert.Equal(2, _clock.Delays);
    }

    [Fact]
    public async Task ListAsync_ConnectionDroppedMidList_IsRetriedTransparently()
    {
        var entry = new RemoteEntry("a.txt", ItemKind.File, 1, DateTimeOffset.UnixEpoch);
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.List)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new EntriesAnswer([entry]));
            if (c.Number == 1)
            {
                c.Close(); // half a listing, then the network breaks
                return;
            }
            await c.ReplyAsync(request, new EntriesAnswer([entry with { Path = "b.txt" }]));
            await c.ReplyAsync(request, new ListEndAnswer(2));
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var items = await _clock.SkipDelaysAsync(() => session.ListAsync("/"), options.MaxRetryDelay).Soon();

        Assert.Equal(new[] { "/a.txt", "/b.txt" }, items.Select(i => i.FullName)); // nothing from the broken attempt
        Assert.Equal(2, server.CountRequests(FrameType.List));
        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(1, _clock.Delays);
    }

    [Fact]
    public async Task UploadAsync_ConnectionDroppedAfterEnd_IsRetriedWithRetryFlagAndAnsweredFromRecord()
    {
        var body = new byte[1000];
        new Random(3).NextBytes(body);
        // Stored, but the answer is lost: without Retry = 1 a second try would store once_1.bin. The server committed
        // that id, so it answers from its record, with no READY and no body.
        await using var server = FakeServer.StartLosingUploadAnswers(new UploadAnswer("once.bin", 1000, Renamed: false, "XXH128", FakeServer.HashOf(body)));
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var result = await _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(body), "once.bin"), options.MaxRetryDelay).Soon();

        var uploads = server.Requests.Where(r => r.Type == FrameType.Upload).Select(r => r.Fields).ToList();
        Assert.Equal(2, uploads.Count);
        Assert.False(uploads[0].GetBoolean(FieldTag.Retry));
        Assert.True(uploads[1].GetBoolean(FieldTag.Retry));
        Assert.Equal(uploads[0].GetString(FieldTag.UploadId), uploads[1].GetString(FieldTag.UploadId)); // one body: the first's
        Assert.Equal("/once.bin", result.RemotePath);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(TransferHash.ToHex(FakeServer.HashOf(body)), result.Hash);
    }

    [Fact]
    public async Task UploadAsync_ConnectionDroppedBeforeReady_IsRetriedFromStart()
    {
        var bodies = new List<byte[]>();
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            if (c.Number == 1)
            {
                c.Close(); // nothing can have been stored: no body, no END
                return;
            }
            var body = await c.AcceptBodyAsync(request);
            bodies.Add(body.Where(f => f.Type == FrameType.Data).SelectMany(f => f.Payload).ToArray());
            await c.ReplyAsync(request, new UploadAnswer("r.bin", 3, Renamed: false));
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        var source = new MemoryStream(new byte[] { 9, 1, 2, 3 }) { Position = 1 };

        var result = await _clock.SkipDelaysAsync(() => session.UploadAsync(source, "r.bin"), options.MaxRetryDelay).Soon();

        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(bodies));
        Assert.Equal(2, server.CountRequests(FrameType.Upload));
        Assert.Equal("/r.bin", result.RemotePath);
    }

    [Fact]
    public async Task PingAsync_ServerStopsAnswering_ThrowsTimeoutAfterFakeTimeout()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.StreamId == 1)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
            }
            // Later requests get no answer at all.
        });
        var options = server.Options(_clock, retryCount: 0);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var ping = session.PingAsync();
        await Wait.UntilAsync(() => server.Requests.Count == 2, "the server to receive the second ping");
        _clock.Advance(options.NoProgressTimeout - TimeSpan.FromSeconds(1));
        Assert.False(ping.IsCompleted);
        for (int i = 0; i < 4 && !ping.IsCompleted; i++)
        {
            // The watchdog checks every quarter timeout; step so that each check runs.
            _clock.Advance(options.NoProgressTimeout / 4);
        }

        await Assert.ThrowsAsync<FtpTimeoutException>(() => ping.Soon());
        Assert.False(session.IsConnected);
    }

    [Fact]
    public async Task ListAsync_Cancelled_ThrowsPromptlyAndNextCallReconnects()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.List)
            {
                return; // never answers: only cancellation ends the wait
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        using var cts = new CancellationTokenSource();

        var list = session.ListAsync("/", cancellationToken: cts.Token);
        await Wait.UntilAsync(() => server.CountRequests(FrameType.List) == 1, "the server to receive the listing request");
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => list.Soon());
        await session.PingAsync().Soon();
        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(0, _clock.Delays);
    }

    private static async Task<bool> Pinged(FtpSession session)
    {
        await session.PingAsync();
        return true;
    }
}
