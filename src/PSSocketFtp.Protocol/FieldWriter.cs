using System.Buffers.Binary;
using System.Text;

namespace PSSocketFtp.Protocol;

/// <summary>
/// Builds one frame: the header, then fields encoded as tag (1 byte), value length (2 bytes, big-endian) and value.
/// Room for the largest header is kept in front of the fields, so a frame of any version is finished in place.
/// </summary>
public sealed class FieldWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly bool _hasHeader;
    private byte[] _buffer;
    private int _length;

    private FieldWriter(bool hasHeader)
    {
        _hasHeader = hasHeader;
        _buffer = new byte[256];
        _length = HeaderRoom;
    }

    /// <summary>Starts a frame of the given type; <see cref="ToFrame"/> finishes it.</summary>
    public static FieldWriter ForFrame(FrameType type, uint streamId) => new(hasHeader: true) { Type = type, StreamId = streamId };

    /// <summary>Starts a bare field list, for a nested value such as <see cref="FieldTag.Entry"/>.</summary>
    public static FieldWriter ForFields() => new(hasHeader: false);

    private FrameType Type { get; init; }

    private uint StreamId { get; init; }

    private int HeaderRoom => _hasHeader ? ProtocolConstants.ChecksummedHeaderSize : 0;

    /// <summary>Adds a UTF-8 string field.</summary>
    public FieldWriter Add(FieldTag tag, string value)
    {
        int byteCount = StrictUtf8.GetByteCount(value);
        Reserve(tag, byteCount);
        StrictUtf8.GetBytes(value, 0, value.Length, _buffer, _length - byteCount);
        return this;
    }

    /// <summary>Adds a signed 64-bit field.</summary>
    public FieldWriter Add(FieldTag tag, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Reserve(tag, 8), value);
        return this;
    }

    /// <summary>Adds an unsigned 16-bit field.</summary>
    public FieldWriter Add(FieldTag tag, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Reserve(tag, 2), value);
        return this;
    }

    /// <summary>Adds a one-byte field.</summary>
    public FieldWriter Add(FieldTag tag, byte value)
    {
        Reserve(tag, 1)[0] = value;
        return this;
    }

    /// <summary>Adds a field of raw bytes, such as <see cref="FieldTag.Hash"/>.</summary>
    public FieldWriter Add(FieldTag tag, byte[] value)
    {
        value.AsSpan().CopyTo(Reserve(tag, value.Length));
        return this;
    }

    /// <summary>Adds a boolean as one byte, 0 or 1.</summary>
    public FieldWriter Add(FieldTag tag, bool value) => Add(tag, value ? (byte)1 : (byte)0);

    /// <summary>Adds a field whose value is another writer's fields.</summary>
    public FieldWriter Add(FieldTag tag, FieldWriter nested)
    {
        nested.Fields.CopyTo(Reserve(tag, nested.Fields.Length));
        return this;
    }

    /// <summary>The fields written so far, without the header.</summary>
    public ReadOnlySpan<byte> Fields => _buffer.AsSpan(HeaderRoom, _length - HeaderRoom);

    /// <summary>
    /// Writes the header of protocol <paramref name="version"/> (with its checksums from version 2 on) and returns the
    /// whole frame. The writer can go on adding fields only after <see cref="Reset"/>.
    /// </summary>
    /// <exception cref="FtpException">The payload is larger than a control frame may be.</exception>
    public ReadOnlyMemory<byte> ToFrame(byte version)
    {
        if (!_hasHeader)
        {
            throw new InvalidOperationException("This writer builds a field list, not a frame.");
        }
        int payload = _length - HeaderRoom;
        if (payload > ProtocolConstants.MaxControlPayload)
        {
            throw new FtpException(FtpStatus.FrameTooLarge, $"A {Type} frame of {payload} bytes exceeds the limit of {ProtocolConstants.MaxControlPayload} bytes.");
        }
        // A smaller header ends where the fields begin: the frame is one slice of the buffer, never copied.
        int start = HeaderRoom - FrameHeader.Size(version);
        new FrameHeader(Type, StreamId, payload).Write(_buffer.AsSpan(start), version, Fields);
        return _buffer.AsMemory(start, _length - start);
    }

    /// <summary>Forgets the fields, keeping the buffer, so that one writer can build many frames of its type.</summary>
    public void Reset() => _length = HeaderRoom;

    private Span<byte> Reserve(FieldTag tag, int valueLength)
    {
        if (valueLength > ushort.MaxValue)
        {
            throw new FtpException(FtpStatus.FrameTooLarge, $"Field {tag} of {valueLength} bytes is longer than a field may be.");
        }
        int needed = _length + 3 + valueLength;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
        _buffer[_length] = (byte)tag;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length + 1), (ushort)valueLength);
        var value = _buffer.AsSpan(_length + 3, valueLength);
        _length = needed;
        return value;
    }
}
