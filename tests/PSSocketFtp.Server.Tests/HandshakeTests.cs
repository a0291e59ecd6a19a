using System.Buffers.Binary;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

public class HandshakeTests
{
    [Fact]
    public async Task Handshake_VersionOneOnlyClient_AgreesOnVersion1AndServesIt()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(handshake: false);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello, minVersion: 1, maxVersion: 1);
        await client.SendAsync(hello);

        var reply = await client.ReadBytesAsync(ProtocolConstants.HandshakeSize);

        // A version 1 reply: the reserved byte stays 0 for clients that may check it.
        Assert.Equal("PSFT"u8.ToArray().Concat(new byte[] { 1, 0, 0, 0 }), reply);
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Handshake_ClientOfferingOneToFive_AgreesOnVersion3AndServesIt()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(handshake: false, version: 3);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello, minVersion: 1, maxVersion: 5);
        await client.SendAsync(hello);

        var reply = await client.ReadBytesAsync(ProtocolConstants.HandshakeSize);

        Assert.Equal(3, Handshake.ReadReply(reply, 1, 5));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Handshake_DamagedHello_MalformedFrameAndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(handshake: false);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        hello[5] ^= 0x03; // offers 1 to 1 now, but the check says otherwise

        await client.SendAsync(hello);
        var reply = await client.ReadBytesAsync(ProtocolConstants.HandshakeSize);

        Assert.Equal(FtpStatus.MalformedFrame, (FtpStatus)BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)));
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Handshake_BadMagic_RefusedAndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(handshake: false);
        await client.SendAsync("GET / HT"u8.ToArray());

        var reply = await client.ReadBytesAsync(ProtocolConstants.HandshakeSize);

        Assert.Equal(FtpStatus.MalformedFrame, (FtpStatus)BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)));
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Handshake_NoCommonVersion_UnsupportedVersionAndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync(handshake: false);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello, minVersion: 4, maxVersion: 5);
        await client.SendAsync(hello);

        var reply = await client.ReadBytesAsync(ProtocolConstants.HandshakeSize);

        Assert.Equal(0, reply[4]);
        var refusal = Assert.Throws<FtpException>(() => Handshake.ReadReply(reply));
        Assert.Equal(FtpStatus.UnsupportedVersion, refusal.Status);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Handshake_SilentClient_DroppedAfterTimeout()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:HandshakeTimeout", "00:00:00.200");
        using var client = await server.ConnectAsync(handshake: false);

        await client.ExpectClosedAsync();

        await server.Log.WaitForAsync(m => m.Contains("sent no handshake"));
    }

    [Fact]
    public async Task Handshake_ClientClosesMidHello_ServerServesOthers()
    {
        await using var server = await TestServer.StartAsync();
        using (var quitter = await server.ConnectAsync(handshake: false))
        {
            await quitter.SendAsync("PSF"u8.ToArray());
        }

        using var client = await server.ConnectAsync();

        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }
}
