using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>End-to-end hashes, resume of uploads and downloads, and which faults are retried, against the fake server.</summary>
public sealed partial class FtpSessionIntegrityTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TestClock _clock = new();
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"psftp-client-{Guid.NewGuid():N}")).FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(FtpHashAlgorithm.XxHash128, "XXH128")]
    [InlineData(FtpHashAlgorithm.Sha256, "SHA256")]
    public async Task UploadFileAsync_AnyAlgorithm_SendsWholeFileHashInEnd(FtpHashAlgorithm algorithm, string wire)
    {
        var body = Bytes(ProtocolConstants.DataChunkSize + 777, seed: 1);
        string file = WriteLocal("a.bin", body);
        List<Frame>? received = null;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            received = await c.AcceptBodyAsync(request);
            await c.ReplyAsync(request, new UploadAnswer("a.bin", body.Length, Renamed: false));
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var result = await session.UploadFileAsync(file, algorithm: algorithm).Soon();

        var upload = server.Requests.Single(r => r.Type == FrameType.Upload).Fields;
        Assert.Equal(wire, upload.GetString(FieldTag.HashAlgorithm));
        Assert.Matches("^[0-9A-F]{32}$", upload.GetString(FieldTag.UploadId));
        var end = received![^1].Fields;
        Assert.Equal(wire, end.GetString(FieldTag.HashAlgorithm));
        Assert.Equal(FakeServer.HashOf(body, algorithm), end.TryGetBytes(FieldTag.Hash));
        Assert.Equal(wire, result.Algorithm);
        Assert.Equal(TransferHash.ToHex(FakeServer.HashOf(body, algorithm)), result.Hash);
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(1, result.Attempts);
    }

    [Theory]
    [InlineData(FtpStatus.HashMismatch)]
    [InlineData(FtpStatus.LengthMismatch)]
    public async Task UploadAsync_DamagedBodyOnce_IsSentAgainFromZeroOnNewConnection(FtpStatus status)
    {
        var body = Bytes(5000, seed: 2);
        var offsets = new List<long>();
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            var frames = await c.AcceptBodyAsync(request);
            offsets.Add(frames.Where(f => f.Type == FrameType.Data).Sum(f => (long)f.Payload.Length));
            if (c.Number == 1)
            {
                await c.ErrorAsync(request, status); // the server discarded its partial file
                return;
            }
            await c.ReplyAsync(request, new UploadAnswer("d.bin", 5000, Renamed: false));
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var result = await _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(body), "d.bin"), options.MaxRetryDelay).Soon();

        Assert.Equal(new long[] { 5000, 5000 }, offsets);
        Assert.Equal(2, server.ConnectionCount); // the connection is dropped before the next try
        Assert.Equal(2, result.Attempts);
        // The server answered in good order: the second try is a new upload, not a Retry of a lost answer.
        Assert.All(server.Requests.Where(r => r.Type == FrameType.Upload), r => Assert.False(r.Fields.GetBoolean(FieldTag.Retry)));
    }

    [Fact]
    public async Task UploadAsync_HashMismatchEveryTime_ThrowsHashMismatchAfterRetryBudget()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.AcceptBodyAsync(request);
            await c.ErrorAsync(request, FtpStatus.HashMismatch);
        });
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(Bytes(100, 3)), "x.bin"), options.MaxRetryDelay).Soon());

        Assert.Equal(FtpStatus.HashMismatch, ex.Status);
        Assert.Equal(3, server.CountRequests(FrameType.Upload));
    }

    [Fact]
    public async Task UploadFileAsync_ReadyOffset_SendsOnlyTheRestWithWholeFileHash()
    {
        var body = Bytes(2 * ProtocolConstants.DataChunkSize + 99, seed: 4);
        const long held = ProtocolConstants.DataChunkSize + 5;
        string file = WriteLocal("big.bin", body);
        List<Frame>? received = null;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(held));
            received = await c.ReadBodyAsync(request.StreamId);
            await c.ReplyAsync(request, new UploadAnswer("big.bin", body.Length, Renamed: false, "XXH128", FakeServer.HashOf(body)));
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var reports = new List<long>();

        var result = await session.UploadFileAsync(file, "/in/", progress: new SyncProgress(p => reports.Add(p.BytesTransferred))).Soon();

        Assert.Equal(body.Skip((int)held).ToArray(), received!.Where(f => f.Type == FrameType.Data).SelectMany(f => f.Payload).ToArray());
        Assert.Equal(FakeServer.HashOf(body), received![^1].Fields.TryGetBytes(FieldTag.Hash));
        Assert.Equal(held, result.ResumedFrom);
        Assert.Equal(held, reports[0]);
        Assert.Equal(body.Length, reports[^1]);
    }

    [Fact]
    public async Task UploadFileAsync_ConnectionLostMidBody_ResumesAtServersOffsetWithSameId()
    {
        var body = Bytes(3 * ProtocolConstants.DataChunkSize, seed: 19);
        string file = WriteLocal("r.bin", body);
        var held = new List<byte>();
        List<Frame>? second = null;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(held.Count));
            if (c.Number == 1)
            {
                held.AddRange((await c.ReadFrameAsync()).Payload); // keeps the first chunk, then the network breaks
                c.Close();
                return;
            }
            second = await c.ReadBodyAsync(request.StreamId);
            await c.ReplyAsync(request, new UploadAnswer("r.bin", body.Length, Renamed: false));
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var result = await _clock.SkipDelaysAsync(() => session.UploadFileAsync(file), options.MaxRetryDelay).Soon();

        var ids = server.Requests.Where(r => r.Type == FrameType.Upload).Select(r => r.Fields.GetString(FieldTag.UploadId)).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(body, held.Concat(second!.Where(f => f.Type == FrameType.Data).SelectMany(f => f.Payload)).ToArray());
        Assert.Equal(FakeServer.HashOf(body), second![^1].Fields.TryGetBytes(FieldTag.Hash));
        Assert.Equal(ProtocolConstants.DataChunkSize, result.ResumedFrom);
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task UploadFileAsync_SameFileTwice_SendsSameUploadIdAndChangedFileAnother()
    {
        string file = WriteLocal("same.bin", Bytes(64, seed: 5));
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.AcceptBodyAsync(request);
            await c.ReplyAsync(request, new UploadAnswer("same.bin", request.Fields.GetInt64(FieldTag.Length), Renamed: false));
        });

        for (int run = 0; run < 2; run++)
        {
            // Two runs of the same command: separate sessions, as after a Ctrl+C or a crash.
            using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
            await session.UploadFileAsync(file, "dest/").Soon();
        }
        File.WriteAllBytes(file, Bytes(65, seed: 6));
        using (var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon())
        {
            await session.UploadFileAsync(file, "dest/").Soon();
            await session.UploadFileAsync(file, "other/").Soon();
        }

        var ids = server.Requests.Where(r => r.Type == FrameType.Upload).Select(r => r.Fields.GetString(FieldTag.UploadId)).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[1], ids[2]); // the file changed
        Assert.NotEqual(ids[2], ids[3]); // another destination
    }

    [Fact]
    public async Task UploadAsync_Cancelled_SendsNoEndSoServerKeepsResumablePartial()
    {
        var frames = new List<Frame>();
        var bodyEnded = new TaskCompletionSource();
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(0));
            try
            {
                while (true)
                {
                    var frame = await c.ReadFrameAsync();
                    lock (frames)
                    {
                        frames.Add(frame);
                    }
                }
            }
            finally
            {
                bodyEnded.TrySetResult();
            }
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        using var cts = new CancellationTokenSource();

        var upload = session.UploadAsync(new MemoryStream(Bytes(3 * ProtocolConstants.DataChunkSize, 7)), "c.bin", progress: new SyncProgress(_ => cts.Cancel()), cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload.Soon());
        await bodyEnded.Task.Soon();
        Assert.DoesNotContain(frames, f => f.Type == FrameType.End);
        Assert.Equal(0, _clock.Delays);
    }

    [Theory]
    [InlineData(FtpStatus.NotFound)]
    [InlineData(FtpStatus.InvalidPath)]
    [InlineData(FtpStatus.AlreadyExists)]
    [InlineData(FtpStatus.AccessDenied)]
    [InlineData(FtpStatus.InsufficientStorage)]
    public async Task UploadAsync_Refusal_IsNotRetriedAndKeepsConnection(FtpStatus status)
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Upload)
            {
                await c.ErrorAsync(request, status);
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock, retryCount: 5)).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => session.UploadAsync(new MemoryStream(Bytes(10, 8)), "r.bin", conflict: ConflictMode.Fail).Soon());

        Assert.Equal(status, ex.Status);
        Assert.Equal(1, server.CountRequests(FrameType.Upload));
        Assert.Equal(0, _clock.Delays);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task DownloadAsync_TrailerHash_IsVerifiedAndReported()
    {
        var body = Bytes(3000, seed: 9);
        await using var server = FakeServer.Start(ServeDownload(body));
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var destination = new MemoryStream();

        var result = await session.DownloadAsync("f.bin", destination, FtpHashAlgorithm.Sha256).Soon();

        Assert.Equal(body, destination.ToArray());
        Assert.Equal("SHA256", server.Requests.Single(r => r.Type == FrameType.Download).Fields.GetString(FieldTag.HashAlgorithm));
        Assert.Equal("SHA256", result.Algorithm);
        Assert.Equal(TransferHash.ToHex(FakeServer.HashOf(body, FtpHashAlgorithm.Sha256)), result.Hash);
    }

    [Fact]
    public async Task DownloadFileAsync_HashMismatchOnce_DiscardsAndRetriesFromZero()
    {
        var body = Bytes(4000, seed: 10);
        var damaged = (byte[])body.Clone();
        damaged[1234] ^= 0x40;
        await using var server = FakeServer.Start(ServeDownload(body, connection => connection == 1 ? damaged : body));
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        string target = Path.Combine(_folder, "f.bin");

        var result = await _clock.SkipDelaysAsync(() => session.DownloadFileAsync("f.bin", target), options.MaxRetryDelay).Soon();

        Assert.Equal(body, File.ReadAllBytes(target));
        Assert.Equal(2, result.Attempts);
        Assert.Equal(0, result.ResumedFrom);
        // The damaged bytes were thrown away, so the second try asked for the whole file.
        Assert.All(server.Requests.Where(r => r.Type == FrameType.Download), r => Assert.False(r.Fields.Contains(FieldTag.Offset)));
        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(new[] { "f.bin" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task DownloadFileAsync_HashMismatchEveryTime_ThrowsHashMismatchAndCreatesNoFile()
    {
        var body = Bytes(100, seed: 11);
        var damaged = (byte[])body.Clone();
        damaged[0] ^= 1;
        await using var server = FakeServer.Start(ServeDownload(body, _ => damaged));
        var options = server.Options(_clock, retryCount: 1);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        string target = Path.Combine(_folder, "f.bin");

        var ex = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => session.DownloadFileAsync("f.bin", target), options.MaxRetryDelay).Soon());

        Assert.Equal(FtpStatus.HashMismatch, ex.Status);
        Assert.Equal(2, server.CountRequests(FrameType.Download));
        Assert.Empty(Directory.GetFiles(_folder)); // nothing verified, nothing kept
    }

    [Fact]
    public async Task DownloadFileAsync_ConnectionLostMidBody_KeepsPartialAndNextRunResumesWithOffset()
    {
        var body = Bytes(3 * ProtocolConstants.DataChunkSize, seed: 12);
        int half = body.Length / 2;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Download)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            var fields = request.Fields;
            long offset = fields.TryGetInt64(FieldTag.Offset) is { } asked && fields.TryGetInt64(FieldTag.Length) == body.Length
                && fields.TryGetInt64(FieldTag.LastWriteTime) == Time.ToUnixTimeMilliseconds() ? asked : 0;
            await c.ReplyAsync(request, new ReadyAnswer(offset, body.Length, Time.ToUnixTimeMilliseconds()));
            if (c.Number == 1)
            {
                await c.SendDataAsync(request.StreamId, body.AsMemory(0, half));
                c.Close(); // the network breaks half way
                return;
            }
            await c.SendDataAsync(request.StreamId, body.AsMemory((int)offset));
            await c.EndAsync(request.StreamId, body);
        });
        string target = Path.Combine(_folder, "big.bin");
        string partial = Path.Combine(_folder, ".big.bin.psftp-partial");

        using (var first = await FtpSession.ConnectAsync(server.Options(_clock, retryCount: 0)).Soon())
        {
            await Assert.ThrowsAsync<FtpConnectionException>(() => first.DownloadFileAsync("/big.bin", target).Soon());
        }
        Assert.False(File.Exists(target));
        Assert.Equal(body.Take(half).ToArray(), File.ReadAllBytes(partial));
        var record = PartialRecord.TryRead(partial + ".json");
        Assert.Equal(new PartialRecord("big.bin", body.Length, Time.ToUnixTimeMilliseconds()), record);

        using var second = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var result = await second.DownloadFileAsync("big.bin", target).Soon();

        var resumed = server.Requests.Where(r => r.Type == FrameType.Download).Last().Fields;
        Assert.Equal(half, resumed.TryGetInt64(FieldTag.Offset));
        Assert.Equal(body.Length, resumed.TryGetInt64(FieldTag.Length));
        Assert.Equal(Time.ToUnixTimeMilliseconds(), resumed.TryGetInt64(FieldTag.LastWriteTime));
        Assert.Equal(body, File.ReadAllBytes(target));
        Assert.Equal(half, result.ResumedFrom);
        Assert.Equal(TransferHash.ToHex(FakeServer.HashOf(body)), result.Hash);
        Assert.Equal(new[] { "big.bin" }, Directory.GetFiles(_folder).Select(Path.GetFileName)); // partial and sidecar gone
    }

    [Fact]
    public async Task DownloadFileAsync_ServerAnswersOffsetZero_TruncatesPartialAndRestarts()
    {
        var body = Bytes(1000, seed: 13);
        string target = Path.Combine(_folder, "f.bin");
        string partial = Path.Combine(_folder, ".f.bin.psftp-partial");
        File.WriteAllBytes(partial, Bytes(600, seed: 99)); // the start of an older version of the file
        new PartialRecord("f.bin", 2000, 12345).Write(partial + ".json");
        await using var server = FakeServer.Start(ServeDownload(body));
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var result = await session.DownloadFileAsync("f.bin", target).Soon();

        var request = server.Requests.Single(r => r.Type == FrameType.Download).Fields;
        Assert.Equal(600, request.TryGetInt64(FieldTag.Offset));
        Assert.Equal(2000, request.TryGetInt64(FieldTag.Length));
        Assert.Equal(12345, request.TryGetInt64(FieldTag.LastWriteTime));
        Assert.Equal(body, File.ReadAllBytes(target));
        Assert.Equal(0, result.ResumedFrom);
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task DownloadFileAsync_PartialOfAnotherRemoteFile_IsNotResumed()
    {
        var body = Bytes(50, seed: 14);
        string target = Path.Combine(_folder, "f.bin");
        string partial = Path.Combine(_folder, ".f.bin.psftp-partial");
        File.WriteAllBytes(partial, Bytes(20, seed: 98));
        new PartialRecord("elsewhere/f.bin", 50, 1).Write(partial + ".json");
        await using var server = FakeServer.Start(ServeDownload(body));
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        await session.DownloadFileAsync("f.bin", target).Soon();

        Assert.False(server.Requests.Single(r => r.Type == FrameType.Download).Fields.Contains(FieldTag.Offset));
        Assert.Equal(body, File.ReadAllBytes(target));
    }

    [Fact]
    public async Task DownloadFileAsync_Cancelled_KeepsPartialForNextRun()
    {
        var body = Bytes(2000, seed: 15);
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Download)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(0, body.Length, LastWriteTime: 5));
            await c.SendDataAsync(request.StreamId, body.AsMemory(0, 700));
            // ... and then nothing: the user gives up.
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        using var cts = new CancellationTokenSource();
        string target = Path.Combine(_folder, "f.bin");
        string partial = Path.Combine(_folder, ".f.bin.psftp-partial");

        var download = session.DownloadFileAsync("f.bin", target, progress: new SyncProgress(p =>
        {
            if (p.BytesTransferred == 700)
            {
                cts.Cancel();
            }
        }), cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download.Soon());
        Assert.False(File.Exists(target));
        Assert.Equal(body.Take(700).ToArray(), File.ReadAllBytes(partial));
        Assert.Equal(new PartialRecord("f.bin", body.Length, 5), PartialRecord.TryRead(partial + ".json"));
    }

    [Fact]
    public async Task DownloadFileAsync_ExistingTargetWithoutOverwrite_ThrowsAndSendsNothing()
    {
        await using var server = FakeServer.Start();
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        string target = WriteLocal("exists.bin", Bytes(3, 16));

        await Assert.ThrowsAsync<IOException>(() => session.DownloadFileAsync("exists.bin", target).Soon());

        Assert.Equal(0, server.CountRequests(FrameType.Download));
        Assert.Equal(Bytes(3, 16), File.ReadAllBytes(target));
    }

    [Fact]
    public async Task DownloadAsync_ServerStallsMidBody_TimesOutAndIsRetried()
    {
        var body = Bytes(500, seed: 17);
        var stalled = new TaskCompletionSource();
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Download)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(0, body.Length));
            if (c.Number == 1)
            {
                await c.SendDataAsync(request.StreamId, body.AsMemory(0, 100));
                stalled.TrySetResult(); // no byte moves any more
                return;
            }
            await c.SendDataAsync(request.StreamId, body);
            await c.EndAsync(request.StreamId, body);
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        var destination = new MemoryStream();

        long received = 0;

        var download = session.DownloadAsync("s.bin", destination, progress: new SyncProgress(p => Interlocked.Exchange(ref received, p.BytesTransferred)));
        await stalled.Task.Soon();
        // The client's last read is its last progress: time counts from there.
        await Wait.UntilAsync(() => Interlocked.Read(ref received) == 100, "the client to receive the bytes before the stall");
        _clock.Advance(options.NoProgressTimeout - TimeSpan.FromSeconds(1));
        Assert.False(download.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => _clock.Delays == 1, "the retry delay after the stall");
        _clock.Advance(options.MaxRetryDelay);
        var result = await download.Soon();

        Assert.Equal(body, destination.ToArray());
        Assert.Equal(2, result.Attempts);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task ConnectAsync_HandshakeNeverAnswered_TimesOutAfterConnectTimeout()
    {
        // Accepts connections (the system's backlog does) but never answers the handshake.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var options = new FtpSessionOptions
            {
                ComputerName = "127.0.0.1",
                Port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port,
                RetryCount = 0,
                TimeProvider = _clock,
                ConnectTimeout = TimeSpan.FromSeconds(15),
                NoProgressTimeout = TimeSpan.FromMinutes(10),
            };

            var connecting = FtpSession.ConnectAsync(options);
            await Wait.UntilAsync(() => _clock.Watchdogs >= 2, "the connect deadline and the idle timer");
            _clock.Advance(options.ConnectTimeout - TimeSpan.FromSeconds(1));
            Assert.False(connecting.IsCompleted);
            _clock.Advance(TimeSpan.FromSeconds(5));

            await Assert.ThrowsAsync<FtpTimeoutException>(() => connecting.Soon());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task PingAsync_AfterIdleTimeout_ClosesIdleConnectionAndReconnectsTransparently()
    {
        await using var server = FakeServer.Start();
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        _clock.Advance(options.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.True(session.IsConnected);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(session.IsConnected); // closed by the client, on the clock
        await session.PingAsync().Soon();

        Assert.True(session.IsConnected);
        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(0, _clock.Delays);
    }

    [Fact]
    public async Task PingAsync_UsedWithinIdleTimeout_KeepsConnection()
    {
        await using var server = FakeServer.Start();
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        for (int i = 0; i < 4; i++)
        {
            _clock.Advance(options.IdleTimeout / 2);
            await session.PingAsync().Soon();
        }

        Assert.Equal(1, server.ConnectionCount);
    }

    [Theory]
    [InlineData(FtpHashAlgorithm.XxHash128, "XXH128")]
    [InlineData(FtpHashAlgorithm.Sha256, "SHA256")]
    public async Task GetFileHashAsync_File_ReturnsServerHash(FtpHashAlgorithm algorithm, string wire)
    {
        var hash = FakeServer.HashOf(Bytes(10, 18), algorithm);
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Hash)
            {
                await c.ReplyAsync(request, new UploadAnswer(request.Fields.GetString(FieldTag.Path), 10, Renamed: false, request.Fields.GetString(FieldTag.HashAlgorithm), hash));
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var result = await session.GetFileHashAsync("\\a\\b.bin", algorithm).Soon();

        Assert.Equal(wire, result.Algorithm);
        Assert.Equal(TransferHash.ToHex(hash), result.Hash);
        Assert.Matches("^[0-9A-F]+$", result.Hash);
        Assert.Equal("/a/b.bin", result.Path);
        Assert.Equal(10, result.Length);
        var sent = server.Requests.Single(r => r.Type == FrameType.Hash).Fields;
        Assert.Equal("a/b.bin", sent.GetString(FieldTag.Path));
        Assert.Equal(wire, sent.GetString(FieldTag.HashAlgorithm));
    }

    [Fact]
    public async Task GetFileHashAsync_NotFound_IsNotRetried()
    {
        await using var server = FakeServer.StartRefusing(FrameType.Hash, FtpStatus.NotFound, "nope");
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => session.GetFileHashAsync("nope").Soon());

        Assert.Equal(FtpStatus.NotFound, ex.Status);
        Assert.Equal(1, server.CountRequests(FrameType.Hash));
        Assert.Equal(0, _clock.Delays);
    }

    [Fact]
    public void PartialRecord_AwkwardPath_RoundTripsThroughJson()
    {
        var record = new PartialRecord("dir/\"quoted\" \\ naïve ☃\u0001.txt", long.MaxValue, -5);
        string path = Path.Combine(_folder, "r.json");

        record.Write(path);

        Assert.Equal(record, PartialRecord.TryRead(path));
        Assert.Null(PartialRecord.TryRead(Path.Combine(_folder, "missing.json")));
    }

    /// <summary>
    /// Serves downloads of <paramref name="body"/>, honouring a resume Offset only for its own length and time. Connection
    /// n sends <paramref name="sentOn"/>(n) in place of the body and, when <paramref name="cutAfter"/>(n) is a number, only
    /// that many bytes after READY before the network breaks.
    /// </summary>
    private static Func<FakeConnection, Frame, Task> ServeDownload(byte[] body, Func<int, byte[]>? sentOn = null, Func<int, int?>? cutAfter = null) => async (c, request) =>
    {
        if (request.Type != FrameType.Download)
        {
            await FakeServer.AnswerDefaultAsync(c, request);
            return;
        }
        var fields = request.Fields;
        long offset = fields.TryGetInt64(FieldTag.Offset) is { } asked && fields.TryGetInt64(FieldTag.Length) == body.Length
            && fields.TryGetInt64(FieldTag.LastWriteTime) == Time.ToUnixTimeMilliseconds() ? asked : 0;
        var algorithm = TransferHash.Parse(fields.TryGetString(FieldTag.HashAlgorithm) ?? "XXH128");
        var sent = sentOn?.Invoke(c.Number) ?? body;
        await c.ReplyAsync(request, new ReadyAnswer(offset, body.Length, Time.ToUnixTimeMilliseconds()));
        if (cutAfter?.Invoke(c.Number) is { } cut)
        {
            await c.SendBodyAsync(request.StreamId, sent.AsMemory((int)offset, cut));
            c.Close();
            return;
        }
        await c.SendBodyAsync(request.StreamId, sent.AsMemory((int)offset));
        await c.EndAsync(request.StreamId, body, algorithm);
    };

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string WriteLocal(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Reports synchronously: <see cref="Progress{T}"/> would post to the thread pool and race the assertions.</summary>
    private sealed class SyncProgress(Action<FtpTransferProgress> report) : IProgress<FtpTransferProgress>
    {
        public void Report(FtpTransferProgress value) => report(value);
    }
}
