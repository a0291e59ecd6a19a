using System.Buffers;
using System.Buffers.Binary;

namespace PSSocketFtp.Protocol;

/// <summary>
/// The header in front of every frame: payload length, type, flags and stream id, big-endian (10 bytes); in version 2
/// followed by the check (<see cref="FrameChecksum"/>) of the payload and that of the header's first 14 bytes (18 bytes in all).
/// </summary>
public readonly struct FrameHeader
{
    private readonly uint? _payloadChecksum;

    /// <summary>Creates a header.</summary>
    public FrameHeader(FrameType type, uint streamId, int payloadLength, FrameFlags flags = FrameFlags.None)
        : this(type, streamId, payloadLength, flags, null)
    {
    }

    private FrameHeader(FrameType type, uint streamId, int payloadLength, FrameFlags flags, uint? payloadChecksum)
    {
        Type = type;
        StreamId = streamId;
        PayloadLength = payloadLength;
        Flags = flags;
        _payloadChecksum = payloadChecksum;
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

    /// <summary>The size in bytes of a frame header in protocol <paramref name="version"/>.</summary>
    public static int Size(byte version) =>
        version >= ProtocolConstants.ChecksumVersion ? ProtocolConstants.ChecksummedHeaderSize : ProtocolConstants.HeaderSize;

    /// <summary>Writes the version 1 header into the first <see cref="ProtocolConstants.HeaderSize"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)PayloadLength);
        destination[4] = (byte)Type;
        destination[5] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(6), StreamId);
    }

    /// <summary>
    /// Writes the header of protocol <paramref name="version"/> into the first <see cref="Size"/> bytes of
    /// <paramref name="destination"/>; from version 2 on with the checksums of <paramref name="payload"/> and of itself.
    /// </summary>
    public void Write(Span<byte> destination, byte version, ReadOnlySpan<byte> payload)
    {
        Write(destination);
        if (version >= ProtocolConstants.ChecksumVersion)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(10), FrameChecksum.Of(payload));
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(14), FrameChecksum.Of(destination.Slice(0, 14)));
        }
    }

    /// <summary>Reads a version 1 header and checks its length against the limit for its type.</summary>
    /// <exception cref="FtpException">The payload is larger than its type allows.</exception>
    public static FrameHeader Read(ReadOnlySpan<byte> source) => Read(source, ProtocolConstants.MinVersion);

    /// <summary>
    /// Reads a header of protocol <paramref name="version"/>: from version 2 on it checks the header's checksum first,
    /// so a damaged length is never believed; then the length against the limit for the type.
    /// </summary>
    /// <exception cref="FtpException">The header was damaged (<see cref="FtpStatus.MalformedFrame"/>), or the payload is larger than its type allows.</exception>
    public static FrameHeader Read(ReadOnlySpan<byte> source, byte version)
    {
        uint? payloadChecksum = null;
        if (version >= ProtocolConstants.ChecksumVersion)
        {
            if (FrameChecksum.Of(source.Slice(0, 14)) != BinaryPrimitives.ReadUInt32BigEndian(source.Slice(14)))
            {
                throw FtpException.Malformed("A frame header was damaged on the way (its checksum does not match).");
            }
            payloadChecksum = BinaryPrimitives.ReadUInt32BigEndian(source.Slice(10));
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(source);
        var header = new FrameHeader((FrameType)source[4], BinaryPrimitives.ReadUInt32BigEndian(source.Slice(6)), (int)Math.Min(length, int.MaxValue), (FrameFlags)source[5], payloadChecksum);
        if (length > (uint)header.MaxPayload)
        {
            throw new FtpException(FtpStatus.FrameTooLarge, $"A {header.Type} frame of {length} bytes exceeds the limit of {header.MaxPayload} bytes.");
        }
        return header;
    }

    /// <summary>Checks the payload against the checksum its header carried; a version 1 header carries none and accepts any.</summary>
    /// <exception cref="FtpException">The payload was damaged on the way (<see cref="FtpStatus.MalformedFrame"/>).</exception>
    public void CheckPayload(ReadOnlySpan<byte> payload)
    {
        if (_payloadChecksum is { } expected && FrameChecksum.Of(payload) != expected)
        {
            throw PayloadDamaged();
        }
    }

    /// <summary>Checks a payload that lies in several buffers (a pipe's) against the checksum its header carried.</summary>
    /// <exception cref="FtpException">The payload was damaged on the way (<see cref="FtpStatus.MalformedFrame"/>).</exception>
    public void CheckPayload(in ReadOnlySequence<byte> payload)
    {
        if (_payloadChecksum is not { } expected)
        {
            return;
        }
        if (FrameChecksum.Of(payload) != expected)
        {
            throw PayloadDamaged();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type} stream={StreamId} length={PayloadLength}";

    private FtpException PayloadDamaged() => FtpException.Malformed($"The payload of a {Type} frame on stream {StreamId} was damaged on the way (its checksum does not match).");
}
