using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

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
    internal static async Task<RawClient> ReadyClientAsync(IPEndPoint server, IPAddress? local = null)
    {
        var client = await RawClient.ConnectAsync(server, local: local);
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
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
        Assert.Equal(FrameType.Ok, (await first.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Connect_SlotFreed_NextClientAdmitted()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxConnections", "1");
        using (var first = await server.ConnectAsync())
        {
            Assert.Equal(FrameType.Ok, (await first.RequestAsync(EmptyMessage.Bye)).Type);
            await first.ExpectClosedAsync();
        }
        await server.Log.WaitForAsync(m => m.Contains("disconnected"));

        using var next = await server.ConnectAsync();

        Assert.Equal(FrameType.Ok, (await next.RequestAsync(EmptyMessage.Ping)).Type);
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
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
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
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        for (int i = 0; i < 3; i++)
        {
            await time.WaitForArmedAsync(TimeSpan.FromMinutes(10));
            time.Fake.Advance(TimeSpan.FromMinutes(9));
            Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
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
            Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
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

        await client.SendAsync(id, new UploadRequest("", "big.bin", 1001));

        await client.ExpectErrorAsync(id, FtpStatus.FileTooLarge);
        Assert.False(File.Exists(server.FullPath("big.bin")));
        uint next = client.NextStreamId();
        await client.SendAsync(next, new UploadRequest("", "fits.bin", 1000));
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
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(new DeleteRequest("a.bin"))).Type);
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

    [Fact]
    public async Task Upload_IdleUploadsClaimingTheWholeQuota_OtherUploadsStillFit()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:Quota", Arg(64L << 20));
        // Two uploads announce all of the quota between them, are given READY, and send nothing.
        using var first = await server.ConnectAsync();
        using var second = await server.ConnectAsync();
        await StartIdleUploadAsync(first, "first.bin", 40L << 20);
        await StartIdleUploadAsync(second, "second.bin", 24L << 20);
        using var client = await server.ConnectAsync();

        var answer = await UploadAsync(client, "other.bin", 10 << 20);

        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(10 << 20, new FileInfo(server.FullPath("other.bin")).Length);
    }

    [Fact]
    public async Task Upload_NoRoomForItsNextWindow_InsufficientStorageThenAndResumablePartialKept()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:Quota", Arg(3L << 20), "--PSSocketFtp:UploadReserveWindow", Arg(1 << 20));
        var content = ExchangeTests.RandomBytes(5 << 20);
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();

        // Refused only when the bytes pass what is free, not at READY for the length announced.
        await client.SendAsync(id, RawClient.ResumableUploadRequest("big.bin", content.Length, "no-room"));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendBodyAsync(id, content);
        await client.SendEndAsync(id, "XXH128", System.IO.Hashing.XxHash128.Hash(content));
        await client.ExpectErrorAsync(id, FtpStatus.InsufficientStorage);
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        client.Dispose();
        long held = new FileInfo(server.PartialOf("no-room")).Length;

        Assert.InRange(held, 2L << 20, 3L << 20);
        Assert.False(File.Exists(server.FullPath("big.bin")));
        // With room again the upload goes on from the bytes held.
        await server.RestartAsync("--PSSocketFtp:Quota", Arg(16L << 20));
        using var again = await server.ConnectAsync();
        var (offset, answer) = await again.ResumableUploadAsync("big.bin", content, "no-room");
        Assert.Equal(held, offset);
        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("big.bin")));
    }

    [Fact]
    public async Task Upload_ManyIdleUploadsFromOneAddress_HoldNoMoreThanItsCap()
    {
        await using var server = await TestServer.StartAsync(
            "--PSSocketFtp:Quota", Arg(10L << 20),
            "--PSSocketFtp:UploadReserveWindow", Arg(1 << 20),
            "--PSSocketFtp:MaxReservedPerAddress", Arg(2 << 20));
        // Five windows wanted from one address, which may hold two: the other address finds 8 MiB, not 5.
        var idle = new List<RawClient>();
        for (int i = 0; i < 5; i++)
        {
            var connection = await server.ConnectAsync();
            idle.Add(connection);
            await StartIdleUploadAsync(connection, $"idle{i}.bin", 2 << 20);
        }
        using var other = await RawClient.ConnectAsync(server.EndPoint, local: IPAddress.Parse("127.0.0.2"));

        var answer = await UploadAsync(other, "other.bin", 6 << 20);

        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        // An upload past its address's cap still goes on: it reserves each frame as it comes.
        var last = idle[^1];
        await last.SendBodyAsync(1, new byte[1 << 20]);
        await last.SendBodyAsync(1, new byte[1 << 20]);
        await last.SendEndAsync(1);
        Assert.Equal(FrameType.Ok, (await last.ExpectAsync(FrameType.Ok, 1)).Type);
        idle.ForEach(c => c.Dispose());
    }

    [Theory]
    [InlineData("UploadReserveWindow")]
    [InlineData("MaxReservedPerAddress")]
    public async Task StartAsync_NegativeReservationSetting_ThrowsArgumentException(string setting) =>
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync($"--PSSocketFtp:{setting}", "-1"));

    /// <summary>A number as a command-line switch takes it.</summary>
    private static string Arg(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends an UPLOAD for <paramref name="length"/> bytes on stream 1 and waits for READY; sends no body.</summary>
    private static async Task StartIdleUploadAsync(RawClient client, string name, long length)
    {
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", name, length));
        await client.ExpectAsync(FrameType.Ready, id);
    }

    /// <summary>Uploads zeros; returns the OK, or the ERROR that came instead of READY.</summary>
    private static async Task<Frame> UploadAsync(RawClient client, string name, int length)
    {
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", name, length));
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
