using System.Buffers.Binary;

namespace PSSocketFtp.Protocol.Tests;

public class FrameHeaderTests
{
    [Theory]
    [InlineData(FrameType.List, 1u, 0)]
    [InlineData(FrameType.Ok, uint.MaxValue, ProtocolConstants.MaxControlPayload)]
    [InlineData(FrameType.Data, 7u, ProtocolConstants.MaxDataPayload)]
    [InlineData(FrameType.End, 0u, 12)]
    public void Read_WrittenHeader_RoundTrips(FrameType type, uint streamId, int length)
    {
        var buffer = new byte[ProtocolConstants.HeaderSize];
        new FrameHeader(type, streamId, length).Write(buffer);

        var header = FrameHeader.Read(buffer);

        Assert.Equal(type, header.Type);
        Assert.Equal(streamId, header.StreamId);
        Assert.Equal(length, header.PayloadLength);
        Assert.Equal(FrameFlags.None, header.Flags);
    }

    [Fact]
    public void Write_Header_IsBigEndianInDocumentedLayout()
    {
        var buffer = new byte[ProtocolConstants.HeaderSize];
        new FrameHeader(FrameType.Stat, 0x01020304, 0x0A0B).Write(buffer);

        Assert.Equal(new byte[] { 0, 0, 0x0A, 0x0B, 0x02, 0, 1, 2, 3, 4 }, buffer);
    }

    [Fact]
    public void Read_UnknownFlagBits_AreKeptNotRefused()
    {
        // Version 1 defines no flags, but receivers must ignore unknown bits rather than fail.
        var buffer = Header(FrameType.Ok, 5, 1);
        buffer[5] = 0xFF;

        Assert.Equal(5, FrameHeader.Read(buffer).PayloadLength);
    }

    [Theory]
    [InlineData(FrameType.Data, ProtocolConstants.MaxDataPayload + 1u)]
    [InlineData(FrameType.Ok, ProtocolConstants.MaxControlPayload + 1u)]
    [InlineData(FrameType.List, ProtocolConstants.MaxControlPayload + 1u)]
    [InlineData(FrameType.End, ProtocolConstants.MaxDataPayload)]
    [InlineData(FrameType.Data, uint.MaxValue)]
    [InlineData(FrameType.Error, uint.MaxValue)]
    public void Read_LengthOverLimit_ThrowsFrameTooLarge(FrameType type, uint length)
    {
        var ex = Assert.Throws<FtpException>(() => FrameHeader.Read(Header(type, length, 1)));

        Assert.Equal(FtpStatus.FrameTooLarge, ex.Status);
    }

    [Fact]
    public void MaxPayload_DataAndControl_AreOneMiBAnd64KiB()
    {
        Assert.Equal(1024 * 1024, new FrameHeader(FrameType.Data, 1, 0).MaxPayload);
        Assert.Equal(64 * 1024, new FrameHeader(FrameType.Upload, 1, 0).MaxPayload);
    }

    private static byte[] Header(FrameType type, uint length, uint streamId)
    {
        var buffer = new byte[ProtocolConstants.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, length);
        buffer[4] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(6), streamId);
        return buffer;
    }
}
