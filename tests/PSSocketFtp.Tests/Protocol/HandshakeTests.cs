using PSSocketFtp.Protocol;

namespace PSSocketFtp.Tests.Protocol;

public class HandshakeTests
{
    [Fact]
    public void WriteHello_Defaults_IsMagicVersionOneReservedZero()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);

        Assert.Equal("PSFT"u8.ToArray().Concat(new byte[] { 1, 1, 0, 0 }), hello);
    }

    [Fact]
    public void ReadHello_VersionOneClient_ChoosesOne()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);

        Assert.Equal(1, Handshake.ReadHello(hello));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(0, 5, 1)]
    [InlineData(1, 255, 1)]
    [InlineData(2, 3, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(3, 1, 0)]
    public void ReadHello_VersionRange_NegotiatesCommonVersionOrZero(byte min, byte max, byte expected)
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello, min, max);

        Assert.Equal(expected, Handshake.ReadHello(hello));
    }

    [Fact]
    public void ReadHello_BadMagic_ThrowsMalformedFrame()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        hello[0] = (byte)'G'; // an HTTP client, say

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadHello(hello)).Status);
    }

    [Fact]
    public void ReadReply_OkReply_ReturnsChosenVersion()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 1, FtpStatus.Ok);

        Assert.Equal("PSFT"u8.ToArray().Concat(new byte[] { 1, 0, 0, 0 }), reply);
        Assert.Equal(1, Handshake.ReadReply(reply));
    }

    [Fact]
    public void ReadReply_RefusedStatus_ThrowsWithThatStatus()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 0, FtpStatus.UnsupportedVersion);

        Assert.Equal(new byte[] { 0, 2 }, reply[6..]);
        Assert.Equal(FtpStatus.UnsupportedVersion, Assert.Throws<FtpException>(() => Handshake.ReadReply(reply)).Status);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(4, 1, 3)]
    [InlineData(1, 2, 3)]
    public void ReadReply_VersionNotOffered_ThrowsUnsupportedVersion(byte chosen, byte min, byte max)
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, chosen, FtpStatus.Ok);

        Assert.Equal(FtpStatus.UnsupportedVersion, Assert.Throws<FtpException>(() => Handshake.ReadReply(reply, min, max)).Status);
    }

    [Fact]
    public void ReadReply_VersionInOfferedRange_ReturnsIt()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 2, FtpStatus.Ok);

        Assert.Equal(2, Handshake.ReadReply(reply, 1, 3));
    }

    [Fact]
    public void ReadReply_BadMagic_ThrowsMalformedFrame()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 1, FtpStatus.Ok);
        reply[3] = (byte)'X';

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadReply(reply)).Status);
    }
}
