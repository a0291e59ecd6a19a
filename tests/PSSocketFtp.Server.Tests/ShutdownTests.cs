using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

public class ShutdownTests
{
    [Fact]
    public async Task Stop_UploadFinishesWithinGrace_Committed()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:ShutdownGracePeriod", "00:00:30");
        using var client = await server.ConnectAsync();
        using var idler = await server.ConnectAsync();
        var content = new byte[3 * ProtocolConstants.DataChunkSize];
        Random.Shared.NextBytes(content);
        uint id = client.NextStreamId();
        await client.SendAsync(id, RawClient.ResumableUploadRequest("graceful.bin", content.Length, "grace-1"));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendBodyAsync(id, content.AsMemory(0, ProtocolConstants.DataChunkSize));

        var stopping = server.StopAsync();
        // A connection waiting for a request closes at once; the upload goes on.
        await idler.ExpectClosedAsync();
        Assert.False(stopping.IsCompleted);
        await client.SendBodyAsync(id, content.AsMemory(ProtocolConstants.DataChunkSize));
        await client.SendEndAsync(id, "XXH128", System.IO.Hashing.XxHash128.Hash(content));

        await client.ExpectAsync(FrameType.Ok, id);
        await client.ExpectClosedAsync();
        await stopping.WaitAsync(RawClient.Timeout);
        Assert.Equal(content, await File.ReadAllBytesAsync(server.FullPath("graceful.bin")));
    }

    [Fact]
    public async Task Stop_UploadOutlastsGrace_CutAndResumable()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:ShutdownGracePeriod", "00:00:01");
        var content = new byte[3 * ProtocolConstants.DataChunkSize];
        Random.Shared.NextBytes(content);
        using (var client = await server.ConnectAsync())
        {
            uint id = client.NextStreamId();
            await client.SendAsync(id, RawClient.ResumableUploadRequest("cut.bin", content.Length, "cut-1"));
            await client.ExpectAsync(FrameType.Ready, id);
            await client.SendBodyAsync(id, content.AsMemory(0, ProtocolConstants.DataChunkSize));

            // The client never sends the rest: the grace runs out and the server cuts the connection.
            await server.StopAsync().WaitAsync(RawClient.Timeout);
            await client.ExpectClosedAsync();
        }
        Assert.False(File.Exists(server.FullPath("cut.bin")));

        await server.RestartAsync();
        using var again = await server.ConnectAsync();
        var (offset, answer) = await again.ResumableUploadAsync("cut.bin", content, "cut-1");

        Assert.Equal(ProtocolConstants.DataChunkSize, offset);
        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal(content, await File.ReadAllBytesAsync(server.FullPath("cut.bin")));
    }
}
