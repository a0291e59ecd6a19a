using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

public class LimitsTests
{
    internal static async Task<FtpStatus> HandshakeStatusAsync(RawClient client)
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        await client.SendAsync(hello);
        var reply = await client.ReadBytesAsync(ProtocolConstants.HandshakeSize);
        try
        {
            Handshake.ReadReply(reply);
            return FtpStatus.Ok;
        }
        catch (FtpException e)
        {
            return e.Status;
        }
    }

    /// <summary>A client that has sent its first request, so that its slot is its own.</summary>
    internal static async Task<RawClient> ReadyClientAsync(IPEndPoint server, IPAddress? from = null)
    {
        var client = await RawClient.ConnectAsync(server, from: from);
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(FrameType.Ping)).Type);
        return client;
    }

    [Fact]
    public async Task Connect_OverTotalLimit_ServerBusyAndClosed()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxConnections", "2");
        // Both ready (a request sent): a slot that only waits would go to the newcomer (LockoutTests).
        using var first = await ReadyClientAsync(server.EndPoint);
        using var second = await ReadyClientAsync(server.EndPoint);
        using var third = await server.ConnectAsync(handshake: false);

        Assert.Equal(FtpStatus.ServerBusy, await HandshakeStatusAsync(third));
        await third.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains("refused: too many connections"));
        Assert.Equal(FrameType.Ok, (await first.RequestAsync(FrameType.Ping)).Type);
    }

    [Fact]
    public async Task Connect_SlotFreed_NextClientAdmitted()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxConnections", "1");
        using (var first = await server.ConnectAsync())
        {
            Assert.Equal(FrameType.Ok, (await first.RequestAsync(FrameType.Bye)).Type);
            await first.ExpectClosedAsync();
        }
        await server.Log.WaitForAsync(m => m.Contains("disconnected"));

        using var next = await server.ConnectAsync();

        Assert.Equal(FrameType.Ok, (await next.RequestAsync(FrameType.Ping)).Type);
    }

    [Fact]
    public async Task Connect_OverPerAddressLimit_ServerBusyWhileOtherAddressesServed()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxConnectionsPerAddress", "1");
        var loopback = server.EndPoint;
        using var first = await ReadyClientAsync(loopback);
        using var second = await RawClient.ConnectAsync(loopback, handshake: false);

        Assert.Equal(FtpStatus.ServerBusy, await HandshakeStatusAsync(second));
        await second.ExpectClosedAsync();

        // Another loopback address (127.0.0.2 reaches 127.0.0.1 on the loopback interface) is another client.
        using var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await tcp.ConnectAsync(loopback);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        var stream = tcp.GetStream();
        await stream.WriteAsync(hello);
        var reply = new byte[ProtocolConstants.HandshakeSize];
        await stream.ReadExactlyAsync(reply).AsTask().WaitAsync(RawClient.Timeout);
        Assert.Equal(ProtocolConstants.Version, Handshake.ReadReply(reply));
    }

    [Fact]
    public async Task Idle_NoRequestForIdleTimeout_Closed()
    {
        var time = new ObservedTimeProvider();
        await using var server = await TestServer.StartAsync(time, "--PSSocketFtp:IdleTimeout", "00:10:00");
        using var client = await server.ConnectAsync();
        // After its first request: before it, the shorter first-request deadline applies (DeadlineTests).
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(FrameType.Ping)).Type);
        await time.WaitForArmedAsync(TimeSpan.FromMinutes(10));

        time.Fake.Advance(TimeSpan.FromMinutes(10));

        await client.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains("sent nothing for 00:10:00; closed"));
    }

    [Fact]
    public async Task Idle_RequestWithinTimeout_RestartsTheClock()
    {
        var time = new ObservedTimeProvider();
        await using var server = await TestServer.StartAsync(time, "--PSSocketFtp:IdleTimeout", "00:10:00");
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(FrameType.Ping)).Type);
        for (int i = 0; i < 3; i++)
        {
            await time.WaitForArmedAsync(TimeSpan.FromMinutes(10));
            time.Fake.Advance(TimeSpan.FromMinutes(9));
            Assert.Equal(FrameType.Ok, (await client.RequestAsync(FrameType.Ping)).Type);
        }

        Assert.DoesNotContain(server.Log.Messages, m => m.Contains("sent nothing"));
    }

    [Fact]
    public async Task Handshake_SlowLorisClients_DroppedWhileOthersServed()
    {
        var time = new ObservedTimeProvider();
        await using var server = await TestServer.StartAsync(time, "--PSSocketFtp:HandshakeTimeout", "00:00:10");
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        // Each sends the first byte of its hello and would send the next a minute later.
        var lorises = new List<RawClient>();
        for (int i = 0; i < 50; i++)
        {
            var loris = await server.ConnectAsync(handshake: false);
            await loris.SendAsync(hello.AsMemory(0, 1));
            lorises.Add(loris);
            await time.WaitForArmedAsync(TimeSpan.FromSeconds(10));
        }

        // With the clock stopped the slow ones hold their connections, and a good client is served all the same.
        using (var client = await server.ConnectAsync())
        {
            Assert.Equal(FrameType.Ok, (await client.RequestAsync(FrameType.Ping)).Type);
        }
        Assert.DoesNotContain(server.Log.Messages, m => m.Contains("sent no handshake"));

        time.Fake.Advance(TimeSpan.FromMinutes(1));

        await Task.WhenAll(lorises.Select(l => l.ExpectClosedAsync()));
        await server.Log.WaitForAsync(_ => server.Log.Messages.Count(m => m.Contains("sent no handshake")) == 50);
        lorises.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task Upload_LengthOverMaxFileSize_FileTooLarge()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxFileSize", "1000");
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();

        await client.SendAsync(RawClient.UploadRequest(id, "", "big.bin", 1001));

        await client.ExpectErrorAsync(id, FtpStatus.FileTooLarge);
        Assert.False(File.Exists(server.FullPath("big.bin")));
        uint next = client.NextStreamId();
        await client.SendAsync(RawClient.UploadRequest(next, "", "fits.bin", 1000));
        await client.ExpectAsync(FrameType.Ready, next);
        await client.SendBodyAsync(next, new byte[1000]);
        await client.SendEndAsync(next);
        await client.ExpectAsync(FrameType.Ok, next);
    }

    [Fact]
    public async Task Upload_OverQuota_InsufficientStorageUntilSpaceFreed()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:Quota", "1000");
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await UploadAsync(client, "a.bin", 600)).Type);

        var refused = await UploadAsync(client, "b.bin", 600);

        Assert.Equal(FtpStatus.InsufficientStorage, refused.Status);
        Assert.False(File.Exists(server.FullPath("b.bin")));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(FrameType.Delete, "a.bin")).Type);
        Assert.Equal(FrameType.Ok, (await UploadAsync(client, "b.bin", 600)).Type);
    }

    [Fact]
    public async Task Upload_WouldEatIntoFreeSpaceReserve_InsufficientStorage()
    {
        long reserve = new DriveInfo(Path.GetTempPath()).AvailableFreeSpace + (1L << 30);
        await using var server = await TestServer.StartAsync("--PSSocketFtp:FreeSpaceReserve", reserve.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = await server.ConnectAsync();

        var refused = await UploadAsync(client, "a.bin", 10);

        Assert.Equal(FtpStatus.InsufficientStorage, refused.Status);
        await server.Log.WaitForAsync(m => m.Contains("refused an upload to"));
    }

    /// <summary>Uploads zeros; returns the OK, or the ERROR that came instead of READY.</summary>
    private static async Task<Frame> UploadAsync(RawClient client, string name, int length)
    {
        uint id = client.NextStreamId();
        await client.SendAsync(RawClient.UploadRequest(id, "", name, length));
        var ready = await client.ReadFrameAsync();
        if (ready.Type != FrameType.Ready)
        {
            return ready;
        }
        await client.SendBodyAsync(id, new byte[length]);
        await client.SendEndAsync(id);
        return await client.ExpectAsync(FrameType.Ok, id);
    }
}
