using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>Each operation against a scripted server: what goes on the wire and what comes back.</summary>
public class FtpSessionTests
{
    private static readonly DateTimeOffset Time = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TestClock _clock = new();

    [Fact]
    public async Task ConnectAsync_Server_HandshakesAndPings()
    {
        await using var server = FakeServer.Start();

        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        Assert.True(session.IsConnected);
        Assert.Equal(ProtocolConstants.Version, session.ProtocolVersion);
        Assert.Equal("FakeServer/1.0", session.ServerSoftware);
        Assert.Equal(FrameType.Ping, Assert.Single(server.Requests).Type);
        Assert.Equal(1u, server.Requests[0].StreamId);
    }

    [Fact]
    public async Task PingAsync_ConnectedSession_UsesNewStreamIdOnSameConnection()
    {
        await using var server = FakeServer.Start();
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        await session.PingAsync().Soon();

        Assert.Equal(new[] { 1u, 2u }, server.Requests.Select(r => r.StreamId));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task ListAsync_SeveralEntriesFrames_ReturnsAllItemsInOrder()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.List)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new EntriesAnswer([new RemoteEntry("docs/sub", ItemKind.Directory, 0, Time), new RemoteEntry("docs/a.txt", ItemKind.File, 10, Time)]));
            await c.ReplyAsync(request, new EntriesAnswer([new RemoteEntry("docs/sub/b.bin", ItemKind.File, 5, Time)]));
            await c.ReplyAsync(request, new ListEndAnswer(3));
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var items = await session.ListAsync("\\docs\\", recurse: true).Soon();

        Assert.Equal(new[] { "/docs/sub", "/docs/a.txt", "/docs/sub/b.bin" }, items.Select(i => i.FullName));
        Assert.True(items[0].IsDirectory);
        Assert.Equal("a.txt", items[1].Name);
        Assert.Equal("/docs", items[1].Directory);
        Assert.Equal(10, items[1].Length);
        Assert.Equal(Time.UtcDateTime, items[1].LastWriteTimeUtc);
        var sent = server.Requests.Single(r => r.Type == FrameType.List).Fields;
        Assert.Equal("docs", sent.GetString(FieldTag.Path));
        Assert.True(sent.GetBoolean(FieldTag.Recursive));
    }

    [Fact]
    public async Task ListAsync_EmptyFolder_ReturnsNoItems()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.List)
            {
                await c.ReplyAsync(request, new ListEndAnswer(0));
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        Assert.Empty(await session.ListAsync(null).Soon());
        Assert.Equal("", server.Requests.Single(r => r.Type == FrameType.List).Fields.GetString(FieldTag.Path));
    }

    [Fact]
    public async Task GetItemAsync_File_ReturnsStatFields()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Stat)
            {
                await c.ReplyAsync(request, new StatAnswer(new RemoteEntry(request.Fields.GetString(FieldTag.Path), ItemKind.File, 3 * 1024 * 1024, Time)));
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var item = await session.GetItemAsync("/x/y.dat").Soon();
        var size = await session.GetSizeAsync("x/y.dat").Soon();

        Assert.Equal("/x/y.dat", item.FullName);
        Assert.False(item.IsDirectory);
        Assert.Equal(Time.UtcDateTime, item.LastWriteTimeUtc);
        Assert.Equal(3.0, size.SizeMB);
        Assert.All(server.Requests.Where(r => r.Type == FrameType.Stat), r => Assert.Equal("x/y.dat", r.Fields.GetString(FieldTag.Path)));
    }

    [Fact]
    public async Task RemoveAsync_Folder_SendsDeleteWithRecursive()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Delete)
            {
                await c.ReplyAsync(request, EmptyMessage.Ok);
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        await session.RemoveAsync("old/", recurse: true).Soon();

        var sent = server.Requests.Single(r => r.Type == FrameType.Delete).Fields;
        Assert.Equal("old", sent.GetString(FieldTag.Path));
        Assert.True(sent.GetBoolean(FieldTag.Recursive));
    }

    [Fact]
    public async Task RemoveAsync_AnswerLostThenNotFound_RetriesAndSucceeds()
    {
        int deletes = 0;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Delete)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
            }
            else if (Interlocked.Increment(ref deletes) == 1)
            {
                // Deleted, but the connection breaks before the answer leaves.
                c.Close();
            }
            else
            {
                await c.ErrorAsync(request, FtpStatus.NotFound, "gone.txt");
            }
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        await _clock.SkipDelaysAsync(
            async () =>
            {
                await session.RemoveAsync("gone.txt");
                return true;
            },
            options.MaxRetryDelay).Soon();

        Assert.Equal(2, server.CountRequests(FrameType.Delete));
    }

    [Fact]
    public async Task RemoveAsync_NotFoundOnFirstTry_ThrowsNotFound()
    {
        await using var server = FakeServer.StartRefusing(FrameType.Delete, FtpStatus.NotFound, "never.txt");
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var e = await Assert.ThrowsAsync<FtpException>(() => session.RemoveAsync("never.txt").Soon());

        Assert.Equal(FtpStatus.NotFound, e.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateFolderAsync_Answered_SendsMakeFolderAndReturnsFolder(bool existingOk)
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.MakeFolder)
            {
                await c.ReplyAsync(request, new StatAnswer(new RemoteEntry(request.Fields.GetString(FieldTag.Path), ItemKind.Directory, 0, Time)));
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var item = await session.CreateFolderAsync("\\a//b/", existingOk).Soon();

        Assert.Equal(("/a/b", true), (item.FullName, item.IsDirectory));
        var sent = server.Requests.Single(r => r.Type == FrameType.MakeFolder).Fields;
        Assert.Equal(("a/b", existingOk), (sent.GetString(FieldTag.Path), sent.GetBoolean(FieldTag.ExistingOk)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RenameAsync_Answered_SendsRenameAndReturnsMovedItem(bool replace)
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Rename)
            {
                await c.ReplyAsync(request, new StatAnswer(new RemoteEntry(request.Fields.GetString(FieldTag.Target), ItemKind.File, 3, Time)));
                return;
            }
            await FakeServer.AnswerDefaultAsync(c, request);
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var item = await session.RenameAsync("\\a//b.txt", "/c/d.txt", replace).Soon();

        Assert.Equal(("/c/d.txt", false), (item.FullName, item.IsDirectory));
        var sent = server.Requests.Single(r => r.Type == FrameType.Rename).Fields;
        Assert.Equal(("a/b.txt", "c/d.txt", replace), (sent.GetString(FieldTag.Path), sent.GetString(FieldTag.Target), sent.GetBoolean(FieldTag.Replace)));
    }

    [Fact]
    public async Task RenameAsync_AnswerLost_RetryFindsSourceGoneAndReturnsTarget()
    {
        int renames = 0;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type == FrameType.Rename && Interlocked.Increment(ref renames) == 1)
            {
                // Moved, but the connection breaks before the answer leaves.
                c.Close();
            }
            else if (request.Type == FrameType.Rename)
            {
                await c.ErrorAsync(request, FtpStatus.NotFound, "a.txt");
            }
            else if (request.Type == FrameType.Stat)
            {
                await c.ReplyAsync(request, new StatAnswer(new RemoteEntry(request.Fields.GetString(FieldTag.Path), ItemKind.File, 3, Time)));
            }
            else
            {
                await FakeServer.AnswerDefaultAsync(c, request);
            }
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var item = await _clock.SkipDelaysAsync(() => session.RenameAsync("a.txt", "b.txt"), options.MaxRetryDelay).Soon();

        Assert.Equal("/b.txt", item.FullName);
        Assert.Equal(2, server.CountRequests(FrameType.Rename));
        Assert.Equal("b.txt", server.Requests.Single(r => r.Type == FrameType.Stat).Fields.GetString(FieldTag.Path));
    }

    [Fact]
    public async Task RenameAsync_SourceMissingOnFirstTry_ThrowsNotFoundWithoutLookingAtTarget()
    {
        await using var server = FakeServer.StartRefusing(FrameType.Rename, FtpStatus.NotFound, "a.txt");
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var e = await Assert.ThrowsAsync<FtpException>(() => session.RenameAsync("a.txt", "b.txt").Soon());

        Assert.Equal(FtpStatus.NotFound, e.Status);
        Assert.Equal(1, server.CountRequests(FrameType.Rename));
        Assert.Equal(0, server.CountRequests(FrameType.Stat));
    }

    [Fact]
    public async Task RenameAsync_ServerWithoutRename_ThrowsNotSupportedOnce()
    {
        await using var server = FakeServer.Start(FakeServer.AnswerDefaultAsync);
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var e = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => session.RenameAsync("a", "b"), options.MaxRetryDelay).Soon());

        Assert.Equal(FtpStatus.UnknownRequest, e.Status);
        Assert.Contains("does not support moving or renaming", e.Message);
        Assert.Equal(1, server.CountRequests(FrameType.Rename));
    }

    [Fact]
    public async Task CreateFolderAsync_AnswerLost_RetriesTakingExistingFolderAsMade()
    {
        int requests = 0;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.MakeFolder)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
            }
            else if (Interlocked.Increment(ref requests) == 1)
            {
                // Made, but the connection breaks before the answer leaves.
                c.Close();
            }
            else if (request.Fields.GetBoolean(FieldTag.ExistingOk))
            {
                await c.ReplyAsync(request, new StatAnswer(new RemoteEntry("made", ItemKind.Directory, 0, Time)));
            }
            else
            {
                await c.ErrorAsync(request, FtpStatus.AlreadyExists, "made");
            }
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var item = await _clock.SkipDelaysAsync(() => session.CreateFolderAsync("made"), options.MaxRetryDelay).Soon();

        Assert.Equal("/made", item.FullName);
        Assert.Equal(2, server.CountRequests(FrameType.MakeFolder));
    }

    [Fact]
    public async Task CreateFolderAsync_ExistingFolder_ThrowsAlreadyExistsWithoutRetry()
    {
        await using var server = FakeServer.StartRefusing(FrameType.MakeFolder, FtpStatus.AlreadyExists, "there");
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var e = await Assert.ThrowsAsync<FtpException>(() => session.CreateFolderAsync("there").Soon());

        Assert.Equal(FtpStatus.AlreadyExists, e.Status);
        Assert.Equal(1, server.CountRequests(FrameType.MakeFolder));
    }

    [Fact]
    public async Task CreateFolderAsync_ServerWithoutMakeFolder_ThrowsNotSupportedOnce()
    {
        // The fake's default answer to a request it has no script for is an old server's: UnknownRequest on stream 0, then it closes.
        await using var server = FakeServer.Start(FakeServer.AnswerDefaultAsync);
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var e = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => session.CreateFolderAsync("new"), options.MaxRetryDelay).Soon());

        Assert.Equal(FtpStatus.UnknownRequest, e.Status);
        Assert.Contains("does not support creating folders", e.Message);
        Assert.Equal(1, server.CountRequests(FrameType.MakeFolder));
        Assert.Equal(0, _clock.Delays);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(ProtocolConstants.DataChunkSize, 2)]
    [InlineData(2 * ProtocolConstants.DataChunkSize + 12345, 2)]
    [InlineData(1, 1)]
    [InlineData(2 * ProtocolConstants.DataChunkSize + 12345, 1)]
    public async Task UploadAsync_BodyInServersVersion_IsDataChunksThenEndAddingUpToLength(int length, byte serverVersion)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);
        List<Frame>? received = null;
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(0));
            // The fake reads (and checks) frames in the version agreed, so a frame in the other format fails here.
            received = await c.ReadBodyAsync(request.StreamId);
            await c.ReplyAsync(request, new UploadAnswer("in/data_1.bin", received.Sum(f => f.Type == FrameType.Data ? f.Payload.Length : 0), Renamed: true));
        });
        server.MaxVersion = serverVersion;
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var reports = new List<long>();

        var result = await session.UploadAsync(new MemoryStream(body), "data.bin", "in/", ConflictMode.Fail, progress: new SyncProgress(p => reports.Add(p.BytesTransferred))).Soon();

        var upload = server.Requests.Single(r => r.Type == FrameType.Upload).Fields;
        Assert.Equal("in/", upload.GetString(FieldTag.Path));
        Assert.Equal("data.bin", upload.GetString(FieldTag.FileName));
        Assert.Equal(length, upload.GetInt64(FieldTag.Length));
        Assert.Equal((byte)ConflictMode.Fail, upload.TryGetByte(FieldTag.Conflict));
        Assert.NotNull(received);
        var data = received!.Take(received.Count - 1).ToList();
        Assert.All(data, f => Assert.Equal(FrameType.Data, f.Type));
        Assert.All(data, f => Assert.InRange(f.Payload.Length, 1, ProtocolConstants.DataChunkSize));
        Assert.Equal(FrameType.End, received[^1].Type);
        Assert.Equal(body, data.SelectMany(f => f.Payload).ToArray());
        Assert.Equal((length + ProtocolConstants.DataChunkSize - 1) / ProtocolConstants.DataChunkSize, data.Count);
        Assert.Equal("/in/data_1.bin", result.RemotePath);
        Assert.Equal(length, result.Length);
        Assert.True(result.Renamed);
        Assert.Equal(length == 0 ? Array.Empty<long>() : new[] { (long)length }, reports.Skip(Math.Max(0, reports.Count - 1)));
        Assert.Equal(serverVersion, session.ProtocolVersion);
    }

    [Fact]
    public async Task UploadFileAsync_EmptyFile_SendsEndOnly()
    {
        string file = Path.Combine(Path.GetTempPath(), $"psftp-empty-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(file, []);
        List<Frame>? received = null;
        try
        {
            await using var server = FakeServer.Start(async (c, request) =>
            {
                if (request.Type != FrameType.Upload)
                {
                    await FakeServer.AnswerDefaultAsync(c, request);
                    return;
                }
                received = await c.AcceptBodyAsync(request);
                await c.ReplyAsync(request, new UploadAnswer(request.Fields.GetString(FieldTag.FileName), 0, Renamed: false));
            });
            using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

            var result = await session.UploadFileAsync(file).Soon();

            Assert.Equal(FrameType.End, Assert.Single(received!).Type);
            Assert.Equal(0, server.Requests.Single(r => r.Type == FrameType.Upload).Fields.GetInt64(FieldTag.Length));
            Assert.Equal("/" + Path.GetFileName(file), result.RemotePath);
            Assert.False(result.Renamed);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DownloadAsync_BodyInServersVersion_WritesEveryByteToStream(byte serverVersion)
    {
        // The middle frame is larger than the senders' chunk size, as a peer may send up to the limit.
        var body = new byte[(2 * ProtocolConstants.DataChunkSize) + 1000];
        new Random(7).NextBytes(body);
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Download)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(0, body.Length, Time.ToUnixTimeMilliseconds()));
            // Uneven chunks: the client must not assume the server's chunk size.
            await c.SendDataAsync(request.StreamId, body.AsMemory(0, 1));
            await c.SendDataAsync(request.StreamId, body.AsMemory(1, body.Length - 1001));
            await c.SendDataAsync(request.StreamId, body.AsMemory(body.Length - 1000));
            await c.ReplyAsync(request, EndTrailer.Empty);
        });
        server.MaxVersion = serverVersion;
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var destination = new MemoryStream();

        var result = await session.DownloadAsync("/big.bin", destination).Soon();

        Assert.Equal(body, destination.ToArray());
        Assert.Equal(body.Length, result.Length);
        Assert.Equal("/big.bin", result.RemotePath);
        Assert.Equal("big.bin", server.Requests.Single(r => r.Type == FrameType.Download).Fields.GetString(FieldTag.Path));
        await session.PingAsync().Soon(); // the connection is still in step after END
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(serverVersion, session.ProtocolVersion);
    }

    [Fact]
    public async Task DisconnectAsync_OpenSession_SaysByeAndCloses()
    {
        await using var server = FakeServer.Start();
        var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        await session.DisconnectAsync().Soon();

        Assert.Equal(FrameType.Bye, server.Requests[^1].Type);
        Assert.False(session.IsOpen);
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.PingAsync());
    }

    [Fact]
    public async Task ListAsync_HostilePath_ThrowsInvalidPathWithoutSending()
    {
        await using var server = FakeServer.Start();
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => session.ListAsync("../etc"));

        Assert.Equal(FtpStatus.InvalidPath, ex.Status);
        Assert.DoesNotContain(server.Requests, r => r.Type == FrameType.List);
    }

    /// <summary>Reports synchronously: <see cref="Progress{T}"/> would post to the thread pool and race the assertions.</summary>
    private sealed class SyncProgress(Action<FtpTransferProgress> report) : IProgress<FtpTransferProgress>
    {
        public void Report(FtpTransferProgress value) => report(value);
    }
}
