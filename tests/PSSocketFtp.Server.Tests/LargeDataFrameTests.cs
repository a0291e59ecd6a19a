using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// DATA payloads larger than what the socket transport buffers for one connection
/// (<see cref="TransportMemoryPool.MaxReadBufferSize"/>), up to the protocol's 1 MiB: from version 2 on the server checks
/// a payload whole before it writes any of it, and such a payload never lies whole in the transport's pipe.
/// </summary>
public class LargeDataFrameTests
{
    public static TheoryData<byte, int> LargePayloads => new()
    {
        { ProtocolConstants.ChecksumVersion, TransportMemoryPool.MaxReadBufferSize + 1 },
        { ProtocolConstants.ChecksumVersion, ProtocolConstants.MaxDataPayload },
        { ProtocolConstants.MultiplexVersion, ProtocolConstants.MaxDataPayload },
    };

    [Theory]
    [MemberData(nameof(LargePayloads))]
    public async Task Upload_DataFramesLargerThanTheReadBuffer_StoredByteExact(byte version, int frameSize)
    {
        await using var server = await TestServer.StartAsync();
        var content = new byte[(3 * frameSize) + 7];
        new Random(frameSize).NextBytes(content);
        using var client = await server.ConnectAsync(version: version);

        var answer = await client.UploadAsync("", "large.bin", content, chunkSize: frameSize);

        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("large.bin")));
    }

    [Fact]
    public async Task Upload_DamagedMaxDataFrame_RefusedAndPartialHoldsOnlyTheBytesBeforeIt()
    {
        const int Frame = ProtocolConstants.MaxDataPayload;
        await using var server = await TestServer.StartAsync();
        var content = new byte[(2 * Frame) + 11];
        new Random(21).NextBytes(content);
        using (var first = await server.ConnectAsync(version: ProtocolConstants.ChecksumVersion))
        {
            uint id = first.NextStreamId();
            await first.SendAsync(id, RawClient.ResumableUploadRequest("large.bin", content.Length, "large-1"));
            await first.ExpectAsync(FrameType.Ready, id);
            await first.SendDataAsync(id, content.AsMemory(0, Frame));
            byte[] damaged = first.DataFrame(id, content.AsSpan(Frame, Frame));
            // Near its end: by then most of the payload has been taken out of the pipe.
            damaged[^3] ^= 0x08;
            await first.SendAsync(damaged);

            await first.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
            await first.ExpectClosedAsync();
        }
        await server.Log.WaitForAsync(m => m.Contains("disconnected"));
        Assert.Equal(Frame, new FileInfo(server.PartialOf("large-1")).Length);

        using var second = await server.ConnectAsync(version: ProtocolConstants.ChecksumVersion);
        var (offset, answer) = await second.ResumableUploadAsync("large.bin", content, "large-1");

        Assert.Equal(Frame, offset);
        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("large.bin")));
    }

    [Fact]
    public async Task Upload_ManySessionsAtOnceMaxAndUsualFrames_EachStoredByteExact()
    {
        const int Sessions = 24;
        await using var server = await TestServer.StartAsync();
        var contents = Enumerable.Range(0, Sessions).Select(i =>
        {
            var bytes = new byte[(2 * ProtocolConstants.MaxDataPayload) + i];
            new Random(100 + i).NextBytes(bytes);
            return bytes;
        }).ToArray();
        var clients = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => server.ConnectAsync(version: ProtocolConstants.Version)));
        try
        {
            // Half send the protocol's largest frames, half the clients' usual ones, all at once.
            var answers = await Task.WhenAll(clients.Select((c, i) => c.UploadAsync("", $"s{i}.bin", contents[i],
                chunkSize: i % 2 == 0 ? ProtocolConstants.MaxDataPayload : ProtocolConstants.DataChunkSize)));

            Assert.All(answers, a => Assert.True(a.Type == FrameType.Ok, a.ToString()));
            for (int i = 0; i < Sessions; i++)
            {
                Assert.Equal(contents[i], File.ReadAllBytes(server.FullPath($"s{i}.bin")));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
