using System.Buffers;
using PSSocketFtp.Protocol.Framing;

namespace PSSocketFtp.Protocol.Tests.Framing;

public class FrameReaderTests
{
    public static readonly TheoryData<byte> Versions = new() { ProtocolConstants.MinVersion, ProtocolConstants.ChecksumVersion };

    [Theory]
    [MemberData(nameof(Versions))]
    public void TryReadFrame_SplitIntoTwoAtEveryByte_ReadsTheFrame(byte version)
    {
        byte[] frame = DeleteFrame(version);

        for (int cut = 0; cut <= frame.Length; cut++)
        {
            var buffer = Sequences.Split(frame, cut);

            Assert.True(FrameReader.TryReadFrame(ref buffer, version, out var header, out var payload), $"cut at {cut}");
            Assert.Equal((FrameType.Delete, 5u), (header.Type, header.StreamId));
            Assert.Equal(frame.AsSpan(FrameHeader.Size(version)).ToArray(), payload.ToArray());
            Assert.True(buffer.IsEmpty);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void TryReadFrame_OneByteSegments_ReadsTheFrame(byte version)
    {
        byte[] frame = DeleteFrame(version);
        var buffer = Sequences.Segmented(frame, 1);

        Assert.True(FrameReader.TryReadFrame(ref buffer, version, out var header, out var payload));
        Assert.Equal(header.PayloadLength, payload.Length);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void TryReadFrame_EveryShorterPrefix_FalseAndBufferUnchanged(byte version)
    {
        byte[] frame = DeleteFrame(version);

        for (int length = 0; length < frame.Length; length++)
        {
            var buffer = Sequences.Split(frame.AsSpan(0, length).ToArray(), length / 2);
            var before = buffer;

            Assert.False(FrameReader.TryReadFrame(ref buffer, version, out _, out _), $"{length} bytes");
            Assert.Equal(before.Start, buffer.Start);
            Assert.Equal(before.Length, buffer.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void TryReadFrame_FramesBackToBackCutAnywhere_ReadsEachInOrder(byte version)
    {
        byte[] data = DataFrame(version, 3, [1, 2, 3, 4, 5]);
        byte[] end = FieldWriter.ForFrame(FrameType.End, 3).ToFrame(version).ToArray();
        byte[] all = [.. DeleteFrame(version), .. data, .. end];

        for (int cut = 0; cut <= all.Length; cut++)
        {
            var buffer = Sequences.Split(all, cut);
            var types = new List<FrameType>();
            while (FrameReader.TryReadFrame(ref buffer, version, out var header, out var payload))
            {
                types.Add(header.Type);
                Assert.Equal(header.PayloadLength, payload.Length);
            }

            Assert.Equal([FrameType.Delete, FrameType.Data, FrameType.End], types);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void TryReadFrame_EmptyPayload_TrueWithAnEmptyPayload(byte version)
    {
        var buffer = new ReadOnlySequence<byte>(FieldWriter.ForFrame(FrameType.End, 1).ToFrame(version));

        Assert.True(FrameReader.TryReadFrame(ref buffer, version, out var header, out var payload));
        Assert.Equal(FrameType.End, header.Type);
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_Version2HeaderDamagedInItsLength_MalformedBeforeAnyPayloadArrives()
    {
        byte[] frame = DeleteFrame(ProtocolConstants.ChecksumVersion);
        frame[3] ^= 0x40;
        // Only the header: a reader that believed the damaged length would wait for the payload instead.
        var buffer = Sequences.Split(frame.AsSpan(0, ProtocolConstants.ChecksummedHeaderSize).ToArray(), 7);

        var refusal = Assert.Throws<FtpException>(() => FrameReader.TryReadFrame(ref buffer, ProtocolConstants.ChecksumVersion, out _, out _));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
    }

    [Fact]
    public void TryReadFrame_Version2EveryBitOfTheFrameFlipped_Malformed()
    {
        byte[] frame = DeleteFrame(ProtocolConstants.ChecksumVersion);

        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            byte[] damaged = (byte[])frame.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var buffer = Sequences.Split(damaged, damaged.Length / 2);

            var refusal = Record.Exception(() => FrameReader.TryReadFrame(ref buffer, ProtocolConstants.ChecksumVersion, out _, out _));

            Assert.True(refusal is FtpException { Status: FtpStatus.MalformedFrame }, $"bit {bit}: {refusal?.Message ?? "accepted"}");
        }
    }

    [Fact]
    public void TryReadFrame_Version2DamagedPayloadInSegments_MalformedAndNotHandedOut()
    {
        var body = new byte[70_000];
        new Random(1).NextBytes(body);
        byte[] frame = DataFrame(ProtocolConstants.ChecksumVersion, 9, body);
        frame[^1] ^= 1;
        var buffer = Sequences.Segmented(frame, 4096);

        var refusal = Assert.Throws<FtpException>(() => FrameReader.TryReadFrame(ref buffer, ProtocolConstants.ChecksumVersion, out _, out _));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Contains("DATA", refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TryReadFrame_Version1DamagedPayload_HandedOutAsVersion1HasNoCheck()
    {
        byte[] frame = DeleteFrame(ProtocolConstants.MinVersion);
        frame[^1] ^= 1;
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.True(FrameReader.TryReadFrame(ref buffer, ProtocolConstants.MinVersion, out _, out _));
    }

    [Theory]
    [InlineData(1, FrameType.Data, ProtocolConstants.MaxDataPayload + 1)]
    [InlineData(2, FrameType.Data, ProtocolConstants.MaxDataPayload + 1)]
    [InlineData(1, FrameType.Ok, ProtocolConstants.MaxControlPayload + 1)]
    [InlineData(2, FrameType.List, ProtocolConstants.MaxControlPayload + 1)]
    [InlineData(2, FrameType.End, ProtocolConstants.MaxDataPayload)]
    [InlineData(1, FrameType.Error, int.MaxValue)]
    public void TryReadFrame_LengthOverItsTypesLimit_FrameTooLargeFromTheHeaderAlone(byte version, FrameType type, int length)
    {
        var header = new byte[FrameHeader.Size(version)];
        new FrameHeader(type, 1, length).Write(header, version, ReadOnlySpan<byte>.Empty);
        var buffer = new ReadOnlySequence<byte>(header);

        var refusal = Assert.Throws<FtpException>(() => FrameReader.TryReadFrame(ref buffer, version, out _, out _));

        Assert.Equal(FtpStatus.FrameTooLarge, refusal.Status);
    }

    [Theory]
    [InlineData(1, FrameType.Data, ProtocolConstants.MaxDataPayload)]
    [InlineData(2, FrameType.Data, ProtocolConstants.MaxDataPayload)]
    [InlineData(2, FrameType.Entries, ProtocolConstants.MaxControlPayload)]
    public void TryReadFrame_LengthAtItsTypesLimit_Read(byte version, FrameType type, int length)
    {
        var payload = new byte[length];
        var frame = new byte[FrameHeader.Size(version) + length];
        new FrameHeader(type, 1, length).Write(frame, version, payload);
        var buffer = Sequences.Segmented(frame, 65_536);

        Assert.True(FrameReader.TryReadFrame(ref buffer, version, out var header, out var read));
        Assert.Equal((type, length), (header.Type, (int)read.Length));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void TryReadHeaderThenPayload_ArrivingPiecemeal_SameAsTheWholeFrame(byte version)
    {
        byte[] frame = DataFrame(version, 2, [9, 8, 7]);
        int headerSize = FrameHeader.Size(version);

        var buffer = new ReadOnlySequence<byte>(frame, 0, headerSize - 1);
        Assert.False(FrameReader.TryReadHeader(ref buffer, version, out _));
        Assert.Equal(headerSize - 1, buffer.Length);

        buffer = new ReadOnlySequence<byte>(frame, 0, headerSize + 2);
        Assert.True(FrameReader.TryReadHeader(ref buffer, version, out var header));
        Assert.Equal(2, buffer.Length);
        Assert.False(FrameReader.TryReadPayload(ref buffer, header, out _));
        Assert.Equal(2, buffer.Length);

        buffer = new ReadOnlySequence<byte>(frame, headerSize, 3);
        Assert.True(FrameReader.TryReadPayload(ref buffer, header, out var payload));
        Assert.Equal(new byte[] { 9, 8, 7 }, payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    private static byte[] DeleteFrame(byte version) =>
        FieldWriter.ForFrame(FrameType.Delete, 5).Add(FieldTag.Path, "some/folder").Add(FieldTag.Recursive, true).ToFrame(version).ToArray();

    private static byte[] DataFrame(byte version, uint streamId, byte[] body)
    {
        int headerSize = FrameHeader.Size(version);
        var frame = new byte[headerSize + body.Length];
        new FrameHeader(FrameType.Data, streamId, body.Length).Write(frame, version, body);
        body.CopyTo(frame, headerSize);
        return frame;
    }
}
