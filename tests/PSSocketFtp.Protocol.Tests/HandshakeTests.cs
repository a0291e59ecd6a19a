
namespace PSSocketFtp.Protocol.Tests;

public class HandshakeTests
{
    [Fact]
    public void WriteHello_Defaults_OffersOneToThreeWithCheck()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);

        Assert.Equal("PSFT"u8.ToArray().Concat(new byte[] { 1, 3 }), hello[..6]);
        Assert.NotEqual(new byte[] { 0, 0 }, hello[6..]);
    }

    [Fact]
    public void WriteHello_VersionOneOnly_IsMagicVersionOneReservedZero()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello, 1, 1);

        Assert.Equal("PSFT"u8.ToArray().Concat(new byte[] { 1, 1, 0, 0 }), hello);
    }

    [Fact]
    public void ReadHello_CurrentClient_ChoosesThree()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);

        Assert.Equal(3, Handshake.ReadHello(hello));
    }

    [Fact]
    public void ReadHello_CurrentClientToServerOfVersionOne_ChoosesOne()
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);

        Assert.Equal(1, Handshake.ReadHello(hello, maxVersion: 1));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(0, 5, 3)]
    [InlineData(1, 255, 3)]
    [InlineData(2, 3, 3)]
    [InlineData(2, 2, 2)]
    [InlineData(4, 5, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(3, 1, 0)]
    public void ReadHello_VersionRange_NegotiatesHighestCommonVersionOrZero(byte min, byte max, byte expected)
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

    /// <summary>Every single-bit flip of a current hello: none may pass as a hello, least of all as a version 1 client's.</summary>
    public static TheoryData<int> HelloBits => new(Enumerable.Range(0, 8 * ProtocolConstants.HandshakeSize));

    [Theory]
    [MemberData(nameof(HelloBits))]
    public void ReadHello_AnyBitFlipped_ThrowsMalformedFrame(int bit)
    {
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        hello[bit / 8] ^= (byte)(1 << (bit % 8));

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadHello(hello)).Status);
    }

    [Fact]
    public void ReadHello_VersionOneHelloWithNonZeroReserved_ThrowsMalformedFrame()
    {
        // What a current hello whose highest version was damaged from 2 to 1 looks like.
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        hello[5] = 1;

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadHello(hello)).Status);
    }

    [Fact]
    public void WriteReply_VersionOne_IsMagicVersionReservedZeroStatus()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 1, FtpStatus.Ok);

        Assert.Equal("PSFT"u8.ToArray().Concat(new byte[] { 1, 0, 0, 0 }), reply);
        Assert.Equal(1, Handshake.ReadReply(reply));
    }

    [Fact]
    public void ReadReply_VersionTwoReply_ReturnsTwo()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 2, FtpStatus.Ok);

        Assert.NotEqual(0, reply[5]);
        Assert.Equal(2, Handshake.ReadReply(reply));
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
    public void ReadReply_VersionNotOffered_ThrowsMalformedFrame(byte chosen, byte min, byte max)
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, chosen, FtpStatus.Ok);

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadReply(reply, min, max)).Status);
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

    /// <summary>Every single-bit flip of a version 2 reply: never a session, never a refusal, always a retryable fault.</summary>
    public static TheoryData<int> ReplyBits => new(Enumerable.Range(0, 8 * ProtocolConstants.HandshakeSize));

    [Theory]
    [MemberData(nameof(ReplyBits))]
    public void ReadReply_VersionTwoReplyAnyBitFlipped_ThrowsMalformedFrame(int bit)
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 2, FtpStatus.Ok);
        reply[bit / 8] ^= (byte)(1 << (bit % 8));

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadReply(reply)).Status);
    }

    [Fact]
    public void ReadReply_VersionTwoReplyDamagedToVersionOne_ThrowsMalformedFrame()
    {
        var reply = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteReply(reply, 2, FtpStatus.Ok);
        reply[4] = 1;

        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(() => Handshake.ReadReply(reply)).Status);
    }
}
