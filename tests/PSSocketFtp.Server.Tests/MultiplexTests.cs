using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.Tests.ExchangeTests;

namespace PSSocketFtp.Server.Tests;

/// <summary>Protocol version 3: many requests in flight on one connection, their frames interleaved.</summary>
public class MultiplexTests
{
    private const byte V3 = ProtocolConstants.MultiplexVersion;

    [Fact]
    public async Task Upload_TwoBodiesInterleaved_BothStoredWhole()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(version: V3);
        var first = RandomBytes(3 * ProtocolConstants.DataChunkSize + 5);
        var second = RandomBytes(2 * ProtocolConstants.DataChunkSize + 7);
        uint a = client.NextStreamId(), b = client.NextStreamId();

        await client.SendAsync(a, new UploadRequest("", "a.bin", first.Length, ConflictMode.Rename));
        await client.SendAsync(b, new UploadRequest("", "b.bin", second.Length, ConflictMode.Rename));
        var ready = new[] { await client.ReadFrameAsync(), await client.ReadFrameAsync() };
        Assert.All(ready, frame => Assert.Equal(FrameType.Ready, frame.Type));
        for (int i = 0; i < 4; i++)
        {
            await SendChunkAsync(client, a, first, i);
            await SendChunkAsync(client, b, second, i);
        }
        await client.SendEndAsync(b);
        await client.SendEndAsync(a);
        var answers = new[] { await client.ReadFrameAsync(), await client.ReadFrameAsync() }.ToDictionary(f => f.StreamId);

        Assert.Equal(FrameType.Ok, answers[a].Type);
        Assert.Equal(FrameType.Ok, answers[b].Type);
        Assert.Equal(first, File.ReadAllBytes(server.FullPath("a.bin")));
        Assert.Equal(second, File.ReadAllBytes(server.FullPath("b.bin")));
    }

    [Fact]
    public async Task Stat_BehindALargeDownload_AnsweredBeforeTheDownloadEnds()
    {
        await using var server = await TestServer.StartAsync();
        var big = RandomBytes(32 * ProtocolConstants.DataChunkSize);
        await File.WriteAllBytesAsync(server.FullPath("big.bin"), big);
        await File.WriteAllTextAsync(server.FullPath("small.txt"), "small");
        using var client = await server.ConnectAsync(version: V3);
        uint download = client.NextStreamId(), stat = client.NextStreamId();

        await client.SendAsync(download, new DownloadRequest("big.bin"));
        await client.SendAsync(stat, new StatRequest("small.txt"));
        var frames = new List<Frame>();
        while (frames.Count(f => f.StreamId == download && f.Type == FrameType.End) == 0)
        {
            frames.Add(await client.ReadFrameAsync());
        }

        int statAnswer = frames.FindIndex(f => f.StreamId == stat);
        Assert.True(statAnswer >= 0 && statAnswer < frames.Count - 1, $"The STAT was answered at frame {statAnswer} of {frames.Count}: after the download it was behind.");
        Assert.Equal(FrameType.Ok, frames[statAnswer].Type);
        Assert.Equal(big, frames.Where(f => f.StreamId == download && f.Type == FrameType.Data).SelectMany(f => f.Payload).ToArray());
    }

    [Fact]
    public async Task Request_BeyondTheOpenStreamLimit_ServerBusyAndTheConnectionStaysUsable()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(version: V3);
        var streams = new List<uint>();
        for (int i = 0; i < ProtocolConstants.MaxOpenStreams; i++)
        {
            uint id = client.NextStreamId();
            streams.Add(id);
            await client.SendAsync(id, new UploadRequest("", $"f{i}.txt", 1, ConflictMode.Rename));
        }
        for (int i = 0; i < ProtocolConstants.MaxOpenStreams; i++)
        {
            Assert.Equal(FrameType.Ready, (await client.ReadFrameAsync()).Type);
        }

        uint extra = client.NextStreamId();
        await client.SendAsync(extra, new StatRequest("f0.txt"));
        await client.ExpectErrorAsync(extra, FtpStatus.ServerBusy);

        await client.SendDataAsync(streams[0], "x"u8.ToArray());
        await client.SendEndAsync(streams[0]);
        await client.ExpectAsync(FrameType.Ok, streams[0]);
        uint next = client.NextStreamId();
        await client.SendAsync(next, new StatRequest("f0.txt"));
        await client.ExpectAsync(FrameType.Ok, next);
    }

    [Fact]
    public async Task Request_OnAStreamInProgress_MalformedAndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(version: V3);
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", "a.txt", 10, ConflictMode.Rename));
        await client.ExpectAsync(FrameType.Ready, id);

        await client.SendAsync(id, new StatRequest("a.txt"));

        await client.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Data_BeforeReady_MalformedAndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(version: V3);

        await client.SendDataAsync(5, new byte[3]);

        await client.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Bye_WithADownloadInFlight_AnsweredAfterIt()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(8 * ProtocolConstants.DataChunkSize);
        await File.WriteAllBytesAsync(server.FullPath("f.bin"), content);
        using var client = await server.ConnectAsync(version: V3);
        uint download = client.NextStreamId(), bye = client.NextStreamId();

        await client.SendAsync(download, new DownloadRequest("f.bin"));
        await client.SendAsync(bye, EmptyMessage.Bye);
        var frames = new List<Frame>();
        do
        {
            frames.Add(await client.ReadFrameAsync());
        }
        while (frames[^1].StreamId != bye);

        Assert.Equal(FrameType.Ok, frames[^1].Type);
        Assert.Contains(frames, f => f.StreamId == download && f.Type == FrameType.End);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Upload_ManyInFlightWhenTheClientVanishes_ResumablePartialsKept()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize + 100);
        using (var client = await server.ConnectAsync(version: V3))
        {
            var ids = new List<uint>();
            for (int i = 0; i < 4; i++)
            {
                uint id = client.NextStreamId();
                ids.Add(id);
                await client.SendAsync(id, RawClient.ResumableUploadRequest($"f{i}.bin", content.Length, $"upload-{i}"));
            }
            foreach (uint id in ids)
            {
                Assert.Equal(FrameType.Ready, (await client.ReadFrameAsync()).Type);
            }
            foreach (uint id in ids)
            {
                await client.SendDataAsync(id, content.AsMemory(0, ProtocolConstants.DataChunkSize));
            }
            // A ping after the bodies: once it is answered, the server has stored every DATA frame before it.
            uint ping = client.NextStreamId();
            await client.SendAsync(ping, EmptyMessage.Ping);
            await client.ExpectAsync(FrameType.Ok, ping);
            client.Abort();
        }

        using var again = await server.ConnectAsync(version: V3);
        for (int i = 0; i < 4; i++)
        {
            var (offset, answer) = await again.ResumableUploadAsync($"f{i}.bin", content, $"upload-{i}");
            Assert.Equal(ProtocolConstants.DataChunkSize, offset);
            Assert.Equal(FrameType.Ok, answer.Type);
            Assert.Equal(content, File.ReadAllBytes(server.FullPath($"f{i}.bin")));
        }
    }

    private static Task SendChunkAsync(RawClient client, uint stream, byte[] content, int index)
    {
        int start = index * ProtocolConstants.DataChunkSize;
        return start >= content.Length
            ? Task.CompletedTask
            : client.SendDataAsync(stream, content.AsMemory(start, Math.Min(ProtocolConstants.DataChunkSize, content.Length - start)));
    }
}
