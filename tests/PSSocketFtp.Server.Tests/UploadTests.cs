using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.Tests.ExchangeTests;

namespace PSSocketFtp.Server.Tests;

public class UploadTests
{
    [Fact]
    public async Task Upload_IntoRoot_StoredAndAnswered()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 3 + 17);

        var answer = await client.UploadAsync("", "report.csv", content);

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal("report.csv", answer.Fields.GetString(FieldTag.Path));
        Assert.Equal(content.Length, answer.Fields.GetInt64(FieldTag.Length));
        Assert.False(answer.Fields.GetBoolean(FieldTag.Renamed));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("report.csv")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
        await server.Log.WaitForAsync(m => m.Contains($"received /report.csv ({content.Length} bytes) from 127.0.0.1:{client.LocalEndPoint.Port}"));
    }

    [Fact]
    public async Task Upload_EmptyFile_Stored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync("/", "empty.txt", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal(0, new FileInfo(server.FullPath("empty.txt")).Length);
    }

    [Fact]
    public async Task Upload_FilePathWithMissingFolders_FoldersCreated()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync("x/y/z.bin", "ignored.bin", "abc"u8.ToArray());

        Assert.Equal("x/y/z.bin", answer.Fields.GetString(FieldTag.Path));
        Assert.Equal("abc", File.ReadAllText(server.FullPath("x/y/z.bin")));
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("folder/")]
    [InlineData("new\\")]
    public async Task Upload_PathNamesFolder_StoredInsideUnderFileName(string path)
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("folder"));
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync(path, "in.txt", "in"u8.ToArray());

        string expected = RemotePath.Combine(RemotePath.Normalize(path), "in.txt");
        Assert.Equal(expected, answer.Fields.GetString(FieldTag.Path));
        Assert.True(File.Exists(server.FullPath(expected)));
    }

    [Fact]
    public async Task Upload_SameNameThreeTimes_RenamedWithCounter()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var paths = new List<(string, bool)>();
        for (int i = 0; i < 3; i++)
        {
            var answer = await client.UploadAsync("", "a.txt", new[] { (byte)('0' + i) });
            paths.Add((answer.Fields.GetString(FieldTag.Path), answer.Fields.GetBoolean(FieldTag.Renamed)));
        }

        Assert.Equal([("a.txt", false), ("a_1.txt", true), ("a_2.txt", true)], paths);
        Assert.Equal(["0", "1", "2"], new[] { "a.txt", "a_1.txt", "a_2.txt" }.Select(n => File.ReadAllText(server.FullPath(n))));
    }

    [Fact]
    public async Task Upload_TenClientsSameNameAtOnce_DistinctNamesIntactContent()
    {
        await using var server = await TestServer.StartAsync();
        var contents = Enumerable.Range(0, 10).Select(i => RandomBytes(300_000 + i)).ToArray();
        var clients = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => server.ConnectAsync()));
        try
        {
            var answers = await Task.WhenAll(clients.Select((c, i) => c.UploadAsync("shared/", "same.bin", contents[i])));

            var stored = answers.Select(a => a.Fields.GetString(FieldTag.Path)).ToArray();
            Assert.Equal(10, stored.Distinct().Count());
            Assert.Contains("shared/same.bin", stored);
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(contents[i], File.ReadAllBytes(server.FullPath(stored[i])));
            }
            Assert.Equal(10, Directory.GetFiles(server.FullPath("shared")).Length);
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    [Fact]
    public async Task Upload_Overwrite_ReplacesExisting()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("o.txt"), "old");
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync("o.txt", null, "new!"u8.ToArray(), ConflictMode.Overwrite);

        Assert.Equal(("o.txt", false), (answer.Fields.GetString(FieldTag.Path), answer.Fields.GetBoolean(FieldTag.Renamed)));
        Assert.Equal("new!", File.ReadAllText(server.FullPath("o.txt")));
    }

    [Fact]
    public async Task Upload_FailAndNameExists_AlreadyExistsBeforeBody()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("f.txt"), "keep");
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync("", "f.txt", "other"u8.ToArray(), ConflictMode.Fail);

        Assert.Equal((FrameType.Error, FtpStatus.AlreadyExists), (answer.Type, answer.Status));
        Assert.Equal("keep", File.ReadAllText(server.FullPath("f.txt")));
    }

    [Fact]
    public async Task Upload_FailAndNameTakenDuringBody_AlreadyExistsAtEnd()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", "race.txt", 4, ConflictMode.Fail));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendDataAsync(id, "body"u8.ToArray());
        File.WriteAllText(server.FullPath("race.txt"), "first");

        await client.SendEndAsync(id);

        await client.ExpectErrorAsync(id, FtpStatus.AlreadyExists);
        Assert.Equal("first", File.ReadAllText(server.FullPath("race.txt")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Fact]
    public async Task Upload_OntoFolderName_IsADirectory()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("dir/taken"));
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync("dir", "taken", "x"u8.ToArray(), ConflictMode.Overwrite);

        Assert.Equal((FrameType.Error, FtpStatus.IsADirectory), (answer.Type, answer.Status));
    }

    [Fact]
    public async Task Upload_ParentIsAFile_NotADirectory()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("plain"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.UploadAsync("plain/child.txt", null, "x"u8.ToArray());

        Assert.Equal((FrameType.Error, FtpStatus.NotADirectory), (answer.Type, answer.Status));
    }

    [Fact]
    public async Task Upload_BodyShorterThanLength_LengthMismatchAndConnectionContinues()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", "short.bin", 10));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendDataAsync(id, new byte[4]);

        await client.SendEndAsync(id);

        await client.ExpectErrorAsync(id, FtpStatus.LengthMismatch);
        Assert.False(File.Exists(server.FullPath("short.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
        Assert.Equal(FrameType.Ok, (await client.UploadAsync("", "next.bin", new byte[3])).Type);
    }

    [Fact]
    public async Task Upload_BodyLongerThanLength_ErrorOnStream0AndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", "long.bin", 4));
        await client.ExpectAsync(FrameType.Ready, id);

        await client.SendDataAsync(id, new byte[5]);

        await client.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
        client.ShutdownSend();
        await client.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains($":{client.LocalEndPoint.Port} disconnected"));
        Assert.False(File.Exists(server.FullPath("long.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Fact]
    public async Task Upload_DataInSmallPieces_Stored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(5000);
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", "pieces.bin", content.Length));
        await client.ExpectAsync(FrameType.Ready, id);
        // One DATA frame delivered a few bytes at a time: the server must not need it whole.
        var frame = new byte[ProtocolConstants.HeaderSize + content.Length];
        new FrameHeader(FrameType.Data, id, content.Length).Write(frame);
        content.CopyTo(frame, ProtocolConstants.HeaderSize);
        for (int offset = 0; offset < frame.Length; offset += 7)
        {
            await client.SendAsync(frame.AsMemory(offset, Math.Min(7, frame.Length - offset)));
        }

        await client.SendEndAsync(id);

        await client.ExpectAsync(FrameType.Ok, id);
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("pieces.bin")));
    }

    [Fact]
    public async Task Upload_LargestDataFrames_StoredWithoutStalling()
    {
        // A 1 MiB DATA frame plus its header is more than Kestrel buffers before pausing the socket: waiting for whole frames would hang.
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(4 * ProtocolConstants.MaxDataPayload + 5);

        var answer = await client.UploadAsync("", "max.bin", content, chunkSize: ProtocolConstants.MaxDataPayload);

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("max.bin")));
    }

    [Fact]
    public async Task Upload_ThenDownload_RoundTripsLargeFile()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(24 * 1024 * 1024 + 3);

        var answer = await client.UploadAsync("big/data.bin", null, content);
        var (_, body, _) = await client.DownloadAsync("big/data.bin");

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal(content, body);
    }

    [Fact]
    public async Task Upload_WithLastWriteTime_StoredWithThatTime()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(1000);
        var time = new DateTimeOffset(2001, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);
        uint id = client.NextStreamId();

        await client.SendAsync(id, new UploadRequest("", "dated.bin", content.Length, LastWriteTime: time));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendBodyAsync(id, content);
        await client.SendEndAsync(id);
        await client.ExpectAsync(FrameType.Ok, id);
        var listed = StatAnswer.Read((await client.RequestAsync(new StatRequest("dated.bin"))).Fields).Entry;

        Assert.Equal(time.UtcDateTime, File.GetLastWriteTimeUtc(server.FullPath("dated.bin")));
        Assert.Equal(time, listed.LastWriteTimeUtc);
    }

    [Fact]
    public async Task Upload_WithoutLastWriteTime_StoredWithTheTimeOfTheCommit()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        // File systems keep times coarser than the clock reads them (a second on some).
        var before = DateTime.UtcNow.AddSeconds(-2);

        await client.UploadAsync("", "now.bin", RandomBytes(10));

        var stored = File.GetLastWriteTimeUtc(server.FullPath("now.bin"));
        Assert.InRange(stored, before, DateTime.UtcNow.AddSeconds(2));
    }

    [Fact]
    public async Task Upload_ResumedWithLastWriteTime_StoredWithThatTime()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 2 + 5);
        var request = RawClient.ResumableUploadRequest("resumed.bin", content.Length, "dated-1") with { LastWriteTime = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero) };
        int port;
        using (var first = await server.ConnectAsync())
        {
            port = first.LocalEndPoint.Port;
            uint firstId = first.NextStreamId();
            await first.SendAsync(firstId, request);
            await first.ExpectAsync(FrameType.Ready, firstId);
            await first.SendBodyAsync(firstId, content.AsMemory(0, ProtocolConstants.DataChunkSize));
        }
        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));
        using var second = await server.ConnectAsync();
        uint id = second.NextStreamId();

        await second.SendAsync(id, request);
        long offset = (await second.ExpectAsync(FrameType.Ready, id)).Fields.GetInt64(FieldTag.Offset);
        await second.SendBodyAsync(id, content.AsMemory((int)offset));
        await second.SendEndAsync(id, "XXH128", System.IO.Hashing.XxHash128.Hash(content));
        await second.ExpectAsync(FrameType.Ok, id);

        Assert.Equal(ProtocolConstants.DataChunkSize, offset);
        Assert.Equal(request.LastWriteTime!.Value.UtcDateTime, File.GetLastWriteTimeUtc(server.FullPath("resumed.bin")));
    }
}
