using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>Protocol version 2: damaged frames are refused before they take effect; intact ones work as in version 1.</summary>
public class ChecksumTests
{
    private const byte V2 = ProtocolConstants.ChecksumVersion;

    [Fact]
    public async Task Delete_Version2AnyBitFlipped_RefusedAndNothingDeleted()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        // What a flip of bit 1 of the path's 'a' names: version 1 would delete it.
        File.WriteAllText(server.FullPath("c.txt"), "c");
        byte[] frame = new DeleteRequest("a.txt").ToWriter(1).ToFrame(V2).ToArray();

        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            byte[] damaged = (byte[])frame.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            using var client = await server.ConnectAsync(version: V2);

            await client.SendAsync(damaged);

            var answer = await client.ReadFrameAsync();
            Assert.True(answer.StreamId == 0 && answer.Status == FtpStatus.MalformedFrame, $"bit {bit}: {answer}");
            Assert.True(File.Exists(server.FullPath("a.txt")) && File.Exists(server.FullPath("c.txt")), $"bit {bit} deleted a file");
        }
    }

    [Fact]
    public async Task Request_Version2HeaderLengthFlipped_MalformedFrameWithoutWaitingForPayload()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(version: V2);
        byte[] frame = new StatRequest("x").ToWriter(client.NextStreamId()).ToFrame(V2).ToArray();
        frame[2] ^= 0x10; // 4 KiB more payload promised than will ever come

        await client.SendAsync(frame);

        await client.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Upload_Version2DataPayloadFlipped_KeepsOnlyBytesBeforeItAndResumesByteExact()
    {
        await using var server = await TestServer.StartAsync();
        var content = new byte[(3 * ProtocolConstants.DataChunkSize) + 5];
        new Random(11).NextBytes(content);
        using (var first = await server.ConnectAsync(version: V2))
        {
            uint id = first.NextStreamId();
            await first.SendAsync(id, RawClient.ResumableUploadRequest("crc.bin", content.Length, "crc-1"));
            await first.ExpectAsync(FrameType.Ready, id);
            await first.SendDataAsync(id, content.AsMemory(0, ProtocolConstants.DataChunkSize));
            byte[] damaged = first.DataFrame(id, content.AsSpan(ProtocolConstants.DataChunkSize, ProtocolConstants.DataChunkSize));
            damaged[^100] ^= 0x40;
            await first.SendAsync(damaged);

            await first.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
            await first.ExpectClosedAsync();
        }
        await server.Log.WaitForAsync(m => m.Contains("disconnected"));
        Assert.Equal(ProtocolConstants.DataChunkSize, new FileInfo(server.PartialOf("crc-1")).Length);

        using var second = await server.ConnectAsync(version: V2);
        var (offset, answer) = await second.ResumableUploadAsync("crc.bin", content, "crc-1");

        Assert.Equal(ProtocolConstants.DataChunkSize, offset);
        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("crc.bin")));
    }

    [Fact]
    public async Task Upload_Version2LargestDataFrames_StoredByteExact()
    {
        await using var server = await TestServer.StartAsync();
        var content = new byte[(2 * ProtocolConstants.MaxDataPayload) + 3];
        new Random(12).NextBytes(content);
        using var client = await server.ConnectAsync(version: V2);

        var answer = await client.UploadAsync("", "max.bin", content, chunkSize: ProtocolConstants.MaxDataPayload);

        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("max.bin")));
    }

    [Fact]
    public async Task Download_Version2_EveryFrameChecksOutAndBodyByteExact()
    {
        await using var server = await TestServer.StartAsync();
        var content = new byte[(2 * ProtocolConstants.DataChunkSize) + 9];
        new Random(13).NextBytes(content);
        File.WriteAllBytes(server.FullPath("d.bin"), content);
        using var client = await server.ConnectAsync(version: V2);

        // The raw client checks each frame's header and payload checksums as it reads.
        var (_, body, frames) = await client.DownloadAsync("d.bin");

        Assert.Equal(content, body);
        Assert.Equal(3, frames);
    }
}
