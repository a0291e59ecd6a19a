using System.Buffers.Binary;
using System.IO.Hashing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace PSSocketFtp.Protocol.Tests;

/// <summary>Version 2 frames: the 18-byte header with the payload's and its own checksum, and what a receiver detects.</summary>
public class FrameChecksumTests
{
    private const byte V2 = ProtocolConstants.ChecksumVersion;

    [Fact]
    public void ToFrame_Version2_HeaderCarriesPayloadChecksumThenHeaderChecksum()
    {
        byte[] frame = FieldWriter.ForFrame(FrameType.Delete, 5).Add(FieldTag.Path, "a/b.txt").ToFrame(V2).ToArray();

        Assert.Equal(ProtocolConstants.ChecksummedHeaderSize + 10, frame.Length);
        Assert.Equal(10u, BinaryPrimitives.ReadUInt32BigEndian(frame));
        Assert.Equal((byte)FrameType.Delete, frame[4]);
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(6)));
        Assert.Equal(FrameChecksum.Of(frame.AsSpan(18)), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(10)));
        Assert.Equal(FrameChecksum.Of(frame.AsSpan(0, 14)), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(14)));
    }

    [Fact]
    public void ToFrame_Version1_IsTheVersion1FrameWithoutChecksums()
    {
        var writer = FieldWriter.ForFrame(FrameType.Stat, 9).Add(FieldTag.Path, "abc");

        byte[] v1 = writer.ToFrame(1).ToArray();
        byte[] v2 = writer.ToFrame(V2).ToArray();

        Assert.Equal(ProtocolConstants.HeaderSize + 6, v1.Length);
        Assert.Equal(v2.AsSpan(0, 10).ToArray(), v1.AsSpan(0, 10).ToArray());
        Assert.Equal(v2.AsSpan(18).ToArray(), v1.AsSpan(10).ToArray());
    }

    [Fact]
    public void Read_Version2DataFrame_RoundTripsAndPayloadChecks()
    {
        var payload = new byte[ProtocolConstants.MaxDataPayload];
        new Random(3).NextBytes(payload);
        var header = new byte[ProtocolConstants.ChecksummedHeaderSize];
        new FrameHeader(FrameType.Data, 77, payload.Length).Write(header, V2, payload);

        var read = FrameHeader.Read(header, V2);
        read.CheckPayload(payload);
        read.CheckPayload(Sequences.Segmented(payload, 4096));

        Assert.Equal(FrameType.Data, read.Type);
        Assert.Equal(77u, read.StreamId);
        Assert.Equal(payload.Length, read.PayloadLength);
    }

    /// <summary>Every bit of a DELETE request, header and fields: a flip anywhere is detected, before the fields are read.</summary>
    [Fact]
    public void Read_Version2RequestAnyBitFlipped_MalformedFrame()
    {
        byte[] frame = FieldWriter.ForFrame(FrameType.Delete, 3).Add(FieldTag.Path, "keep/this.txt").Add(FieldTag.Recursive, true).ToFrame(V2).ToArray();

        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            byte[] damaged = (byte[])frame.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.True(IsDetected(damaged), $"bit {bit} flipped went unnoticed");
        }
    }

    [Property]
    public Property Read_Version2ControlFrameAnyBitFlipped_MalformedFrame(NonNull<string> message, uint streamId, long number, NonNegativeInt bitSeed)
    {
        string text = new string(message.Get.Where(c => !char.IsSurrogate(c)).Take(1000).ToArray());
        byte[] frame = FieldWriter.ForFrame(FrameType.Ok, streamId).Add(FieldTag.Message, text).Add(FieldTag.Length, number).ToFrame(V2).ToArray();
        int bit = bitSeed.Get % (frame.Length * 8);
        frame[bit / 8] ^= (byte)(1 << (bit % 8));

        return IsDetected(frame).Label($"bit {bit} of {frame.Length * 8}");
    }

    [Property]
    public Property CheckPayload_DataPayloadAnyBitFlippedInAnySegment_MalformedFrame(NonEmptyArray<byte> bytes, PositiveInt segment, NonNegativeInt bitSeed)
    {
        byte[] payload = bytes.Get;
        var header = new byte[ProtocolConstants.ChecksummedHeaderSize];
        new FrameHeader(FrameType.Data, 1, payload.Length).Write(header, V2, payload);
        int bit = bitSeed.Get % (payload.Length * 8);
        payload[bit / 8] ^= (byte)(1 << (bit % 8));
        var read = FrameHeader.Read(header, V2);

        var status = Record.Exception(() => read.CheckPayload(Sequences.Segmented(payload, segment.Get))) is FtpException e ? e.Status : FtpStatus.Ok;

        return (status == FtpStatus.MalformedFrame).Label($"bit {bit}, segments of {segment.Get}");
    }

    [Fact]
    public void CheckPayload_Version1Header_AcceptsAnything()
    {
        var header = new byte[ProtocolConstants.HeaderSize];
        new FrameHeader(FrameType.Data, 1, 3).Write(header);

        FrameHeader.Read(header).CheckPayload(new byte[] { 1, 2, 3 });
    }

    /// <summary>What a version 2 receiver does: the header's check first (so a damaged length is never used), then the payload's.</summary>
    private static bool IsDetected(byte[] frame)
    {
        FrameHeader header;
        try
        {
            header = FrameHeader.Read(frame, V2);
        }
        catch (FtpException e)
        {
            return e.Status == FtpStatus.MalformedFrame;
        }
        if (header.PayloadLength != frame.Length - ProtocolConstants.ChecksummedHeaderSize)
        {
            return false;
        }
        var payload = frame.AsSpan(ProtocolConstants.ChecksummedHeaderSize).ToArray();
        return Record.Exception(() => header.CheckPayload(payload)) is FtpException { Status: FtpStatus.MalformedFrame };
    }
}
