using System.IO.Hashing;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.Tests.ExchangeTests;

namespace PSSocketFtp.Server.Tests;

/// <summary>Resumable uploads, answers to retries, and downloads from an offset (protocol §3.2).</summary>
public class ResumeTests
{
    [Fact]
    public async Task Upload_ConnectionDroppedMidBody_NextUploadResumesAtHeldOffsetByteExact()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 4 + 77);
        const int sent = 300_000;
        int port;
        using (var first = await server.ConnectAsync())
        {
            port = first.LocalEndPoint.Port;
            uint id = first.NextStreamId();
            await first.SendAsync(id, RawClient.ResumableUploadRequest("r.bin", content.Length, "drop-1"));
            await first.ExpectAsync(FrameType.Ready, id);
            await first.SendBodyAsync(id, content.AsMemory(0, sent));
        }
        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));
        Assert.Equal(sent, new FileInfo(server.PartialOf("drop-1")).Length);

        using var second = await server.ConnectAsync();
        var (offset, answer) = await second.ResumableUploadAsync("r.bin", content, "drop-1");

        Assert.Equal(sent, offset);
        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content.Length, answer.Fields.GetInt64(FieldTag.Length));
        Assert.Equal(XxHash128.Hash(content), answer.Fields.TryGetBytes(FieldTag.Hash));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("r.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Fact]
    public async Task Upload_ServerRestartedMidBody_ResumesAtHeldOffsetByteExact()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 3);
        using (var first = await server.ConnectAsync())
        {
            uint id = first.NextStreamId();
            await first.SendAsync(id, RawClient.ResumableUploadRequest("restart.bin", content.Length, "restart_1"));
            await first.ExpectAsync(FrameType.Ready, id);
            await first.SendBodyAsync(id, content.AsMemory(0, 500_000));

            // Still connected: the stopping server ends the session wherever it is in the body.
            await server.RestartAsync();
        }
        long held = new FileInfo(server.PartialOf("restart_1")).Length;

        using var second = await server.ConnectAsync();
        var (offset, answer) = await second.ResumableUploadAsync("restart.bin", content, "restart_1");

        Assert.Equal(held, offset);
        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("restart.bin")));
    }

    [Fact]
    public async Task Upload_SameIdDifferentLength_StartsAtZero()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(200_000);
        int port;
        using (var first = await server.ConnectAsync())
        {
            port = first.LocalEndPoint.Port;
            uint id = first.NextStreamId();
            await first.SendAsync(id, RawClient.ResumableUploadRequest("v.bin", content.Length + 1, "values"));
            await first.ExpectAsync(FrameType.Ready, id);
            await first.SendBodyAsync(id, RandomBytes(150_000));
        }
        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));

        using var second = await server.ConnectAsync();
        var (offset, answer) = await second.ResumableUploadAsync("v.bin", content, "values");

        Assert.Equal(0, offset);
        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("v.bin")));
    }

    [Fact]
    public async Task Upload_SameIdDifferentHashAlgorithm_StartsAtZero()
    {
        await using var server = await TestServer.StartAsync();
        int port;
        using (var first = await server.ConnectAsync())
        {
            port = first.LocalEndPoint.Port;
            uint id = first.NextStreamId();
            await first.SendAsync(id, RawClient.ResumableUploadRequest("a.bin", 10, "algo", algorithm: FtpHashAlgorithm.Sha256));
            await first.ExpectAsync(FrameType.Ready, id);
            await first.SendBodyAsync(id, new byte[5]);
        }
        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));
        using var second = await server.ConnectAsync();
        uint again = second.NextStreamId();

        await second.SendAsync(again, RawClient.ResumableUploadRequest("a.bin", 10, "algo", algorithm: FtpHashAlgorithm.XxHash128));

        Assert.Equal(0, (await second.ExpectAsync(FrameType.Ready, again)).Fields.GetInt64(FieldTag.Offset));
        // The SHA256 bytes stay in a partial of their own, for the sweep: never continued as an XXH128 upload.
        Assert.Equal([0L, 5L], Directory.GetFiles(server.PartialFolder, "algo.*.part").Select(f => new FileInfo(f).Length).Order());
    }

    [Fact]
    public async Task Upload_RetryOfCommittedId_AnsweredFromRecordWithoutSecondCopy()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(100_000);
        using (var first = await server.ConnectAsync())
        {
            Assert.Equal(FrameType.Ok, (await first.ResumableUploadAsync("once.bin", content, "lost-answer")).Answer.Type);
        }
        // The record is on disk: it survives a restart.
        await server.RestartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();

        await client.SendAsync(id, RawClient.ResumableUploadRequest("once.bin", content.Length, "lost-answer", retry: true));
        var ok = await client.ExpectAsync(FrameType.Ok, id);

        Assert.Equal("once.bin", ok.Fields.GetString(FieldTag.Path));
        Assert.Equal(content.Length, ok.Fields.GetInt64(FieldTag.Length));
        Assert.False(ok.Fields.GetBoolean(FieldTag.Renamed));
        Assert.Equal("XXH128", ok.Fields.GetString(FieldTag.HashAlgorithm));
        Assert.Equal(XxHash128.Hash(content), ok.Fields.TryGetBytes(FieldTag.Hash));
        Assert.Equal(["once.bin"], Directory.GetFiles(server.Root).Select(Path.GetFileName));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Theory]
    [InlineData("", "b.txt", 10, ConflictMode.Rename, "XXH128")]
    [InlineData("", "a.txt", 6, ConflictMode.Rename, "XXH128")]
    [InlineData("", "a.txt", 5, ConflictMode.Overwrite, "XXH128")]
    [InlineData("", "a.txt", 5, ConflictMode.Rename, "SHA256")]
    [InlineData("sub/", "a.txt", 5, ConflictMode.Rename, "XXH128")]
    public async Task Upload_RetryOfCommittedIdWithOtherValues_StoredAsNewUpload(string path, string fileName, int length, ConflictMode conflict, string algorithm)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var first = RandomBytes(5);
        Assert.Equal(FrameType.Ok, (await client.ResumableUploadAsync("a.txt", first, "R1")).Answer.Type);
        var content = RandomBytes(length);
        uint id = client.NextStreamId();

        // The id is the same, the upload is not: the record of a.txt is no answer for it.
        await client.SendAsync(id, RawClient.ResumableUploadRequest(fileName, length, "R1", TransferHash.Parse(algorithm), retry: true, conflict, path));
        Assert.Equal(0, (await client.ExpectAsync(FrameType.Ready, id)).Fields.GetInt64(FieldTag.Offset));
        await client.SendBodyAsync(id, content);
        await client.SendEndAsync(id, algorithm, algorithm == "SHA256" ? System.Security.Cryptography.SHA256.HashData(content) : XxHash128.Hash(content));
        var ok = await client.ExpectAsync(FrameType.Ok, id);

        Assert.Equal(length, ok.Fields.GetInt64(FieldTag.Length));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath(ok.Fields.GetString(FieldTag.Path))));
        if (conflict != ConflictMode.Overwrite)
        {
            Assert.Equal(first, File.ReadAllBytes(server.FullPath("a.txt")));
        }
    }

    [Fact]
    public async Task Upload_CommittedIdAgainWithoutRetry_StoredAsName1()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(1000);
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.ResumableUploadAsync("twice.bin", content, "on-purpose")).Answer.Type);

        var (offset, answer) = await client.ResumableUploadAsync("twice.bin", content, "on-purpose");

        Assert.Equal(0, offset);
        Assert.Equal("twice_1.bin", answer.Fields.GetString(FieldTag.Path));
        Assert.True(answer.Fields.GetBoolean(FieldTag.Renamed));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("twice_1.bin")));
    }

    [Fact]
    public async Task Upload_RetryOfUnknownId_NormalUploadFromZero()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();

        await client.SendAsync(id, RawClient.ResumableUploadRequest("fresh.bin", 3, "never-seen", retry: true));

        Assert.Equal(0, (await client.ExpectAsync(FrameType.Ready, id)).Fields.GetInt64(FieldTag.Offset));
    }

    [Fact]
    public async Task Upload_SecondConnectionSameId_TakesOverAndFirstGetsAccessDenied()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 2);
        using var first = await server.ConnectAsync();
        uint firstId = first.NextStreamId();
        await first.SendAsync(firstId, RawClient.ResumableUploadRequest("t.bin", content.Length, "taken"));
        await first.ExpectAsync(FrameType.Ready, firstId);
        await first.SendBodyAsync(firstId, content.AsMemory(0, 100_000));

        using var second = await server.ConnectAsync();
        uint secondId = second.NextStreamId();
        await second.SendAsync(secondId, RawClient.ResumableUploadRequest("t.bin", content.Length, "taken"));
        long offset = (await second.ExpectAsync(FrameType.Ready, secondId)).Fields.GetInt64(FieldTag.Offset);
        // The first connection goes on as if nothing happened: it is refused, its bytes reach nothing.
        await first.SendBodyAsync(firstId, content.AsMemory(100_000, 100_000));
        await first.ExpectErrorAsync(firstId, FtpStatus.AccessDenied);
        await first.SendEndAsync(firstId, "XXH128", XxHash128.Hash(content));
        Assert.Equal(FrameType.Ok, (await first.RequestAsync(EmptyMessage.Ping)).Type);
        await second.SendBodyAsync(secondId, content.AsMemory((int)offset));
        await second.SendEndAsync(secondId, "XXH128", XxHash128.Hash(content));
        var ok = await second.ExpectAsync(FrameType.Ok, secondId);

        Assert.InRange(offset, 0, 100_000);
        Assert.Equal("t.bin", ok.Fields.GetString(FieldTag.Path));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("t.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Fact]
    public async Task Upload_ManyConnectionsSameIdAtOnce_OneOwnerAtATimeEveryStoredFileIntact()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 6 + 1);
        var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => server.ConnectAsync()));
        try
        {
            var results = await Task.WhenAll(clients.Select(c => c.ResumableUploadAsync("race.bin", content, "contested")));

            var answers = results.Select(r => r.Answer).ToArray();
            Assert.All(answers, a => Assert.True(a.Type == FrameType.Ok || a.Status == FtpStatus.AccessDenied, a.ToString()));
            var stored = answers.Where(a => a.Type == FrameType.Ok).Select(a => a.Fields.GetString(FieldTag.Path)).ToArray();
            Assert.NotEmpty(stored);
            Assert.Equal(stored.Length, stored.Distinct().Count());
            Assert.All(stored, path => Assert.Equal(content, File.ReadAllBytes(server.FullPath(path))));
            Assert.Equal(stored.Length, Directory.GetFiles(server.Root).Length);
            Assert.Empty(Directory.GetFiles(server.PartialFolder));
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("has.dot")]
    [InlineData("../escape")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task Upload_InvalidUploadId_MalformedFrameAndClosed(string uploadId)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        await client.SendAsync(client.NextStreamId(), RawClient.ResumableUploadRequest("x.bin", 1, uploadId));

        await client.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
        client.ShutdownSend();
        await client.ExpectClosedAsync();
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Fact]
    public async Task Download_OffsetWithMatchingLengthAndTime_BodyFromOffset()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 2 + 99);
        File.WriteAllBytes(server.FullPath("dl.bin"), content);
        long time = new DateTimeOffset(File.GetLastWriteTimeUtc(server.FullPath("dl.bin"))).ToUnixTimeMilliseconds();
        using var client = await server.ConnectAsync();

        var (ready, body, end) = await client.DownloadAsync(new DownloadRequest("dl.bin", FtpHashAlgorithm.XxHash128, 300_001, content.Length, time));

        Assert.Equal(300_001, ready.Fields.GetInt64(FieldTag.Offset));
        Assert.Equal(content.Length, ready.Fields.GetInt64(FieldTag.Length));
        Assert.Equal(content.AsSpan(300_001).ToArray(), body);
        // The trailer covers the whole file, the part the client already holds included.
        Assert.Equal(XxHash128.Hash(content), end.Fields.TryGetBytes(FieldTag.Hash));
    }

    [Fact]
    public async Task Download_OffsetAtLength_EmptyBody()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllBytes(server.FullPath("done.bin"), new byte[1000]);
        long time = new DateTimeOffset(File.GetLastWriteTimeUtc(server.FullPath("done.bin"))).ToUnixTimeMilliseconds();
        using var client = await server.ConnectAsync();

        var (ready, body, _) = await client.DownloadAsync(new DownloadRequest("done.bin", null, 1000, 1000, time));

        Assert.Equal(1000, ready.Fields.GetInt64(FieldTag.Offset));
        Assert.Empty(body);
    }

    [Theory]
    [InlineData(1, 0, 10)]
    [InlineData(0, 1, 10)]
    [InlineData(0, 0, 2001)]
    public async Task Download_OffsetWithStaleLengthTimeOrOffset_WholeFileFromZero(long lengthDelta, long timeDelta, long offset)
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(2000);
        File.WriteAllBytes(server.FullPath("changed.bin"), content);
        long time = new DateTimeOffset(File.GetLastWriteTimeUtc(server.FullPath("changed.bin"))).ToUnixTimeMilliseconds();
        using var client = await server.ConnectAsync();

        var (ready, body, end) = await client.DownloadAsync(new DownloadRequest("changed.bin", FtpHashAlgorithm.Sha256, offset, content.Length + lengthDelta, time + timeDelta));

        Assert.Equal(0, ready.Fields.GetInt64(FieldTag.Offset));
        Assert.Equal(content, body);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(content), end.Fields.TryGetBytes(FieldTag.Hash));
    }

    [Fact]
    public async Task Download_OffsetWithoutLengthAndTime_WholeFileFromZero()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(500);
        File.WriteAllBytes(server.FullPath("bare.bin"), content);
        using var client = await server.ConnectAsync();

        var (ready, body, _) = await client.DownloadAsync(new DownloadRequest("bare.bin", Offset: 100));

        Assert.Equal(0, ready.Fields.GetInt64(FieldTag.Offset));
        Assert.Equal(content, body);
    }
}
