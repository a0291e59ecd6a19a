using System.Buffers.Binary;

namespace PSSocketFtp.Protocol;

/// <summary>The 10-byte header in front of every frame: payload length, type, flags and stream id, big-endian.</summary>
public readonly struct FrameHeader
{
    /// <summary>Creates a header.</summary>
    public FrameHeader(FrameType type, uint streamId, int payloadLength, FrameFlags flags = FrameFlags.None)
    {
        Type = type;
        StreamId = streamId;
        PayloadLength = payloadLength;
        Flags = flags;
    }

    /// <summary>The frame's type.</summary>
    public FrameType Type { get; }

    /// <summary>The request this frame belongs to; 0 for the connection itself.</summary>
    public uint StreamId { get; }

    /// <summary>Number of payload bytes after the header.</summary>
    public int PayloadLength { get; }

    /// <summary>Flag bits.</summary>
    public FrameFlags Flags { get; }

    /// <summary>The largest payload a frame of this header's type may carry.</summary>
    public int MaxPayload => Type == FrameType.Data ? ProtocolConstants.MaxDataPayload : ProtocolConstants.MaxControlPayload;

    /// <summary>Writes the header into the first <see cref="ProtocolConstants.HeaderSize"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)PayloadLength);
        destination[4] = (byte)Type;
        destination[5] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(6), StreamId);
    }

    /// <summary>Reads a header and checks its length against the limit for its type.</summary>
    /// <exception cref="FtpException">The payload is larger than its type allows.</exception>
    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        uint length = BinaryPrimitives.ReadUInt32BigEndian(source);
        var header = new FrameHeader((FrameType)source[4], BinaryPrimitives.ReadUInt32BigEndian(source.Slice(6)), (int)Math.Min(length, int.MaxValue), (FrameFlags)source[5]);
        if (length > (uint)header.MaxPayload)
        {
            throw new FtpException(FtpStatus.FrameTooLarge, $"A {header.Type} frame of {length} bytes exceeds the limit of {header.MaxPayload} bytes.");
        }
        return header;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} stream={StreamId} length={PayloadLength}";
}
