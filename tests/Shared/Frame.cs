using System.Buffers;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;

namespace PSSocketFtp.TestSupport;

/// <summary>One received frame, as the test fakes see it: read through the protocol's one frame reader, as both ends read theirs.</summary>
internal sealed record Frame(FrameHeader Header, byte[] Payload)
{
    public FrameType Type => Header.Type;

    public uint StreamId => Header.StreamId;

    public FieldSet Fields => FieldSet.Parse(Payload);

    public FtpStatus Status => (FtpStatus)(Fields.TryGetUInt16(FieldTag.Status) ?? 0);

    public override string ToString() => Type == FrameType.Error ? $"{Header} {Status}: {Fields.TryGetString(FieldTag.Message)}" : Header.ToString();

    /// <summary>
    /// Reads one frame of protocol <paramref name="version"/> with <paramref name="readExactly"/> (which fills the array
    /// it is given, or fails): the header, checked before its length is believed, then the payload, checked before it is returned.
    /// </summary>
    public static async Task<Frame> ReadAsync(Func<byte[], Task> readExactly, byte version)
    {
        var headerBytes = new byte[FrameHeader.Size(version)];
        await readExactly(headerBytes);
        var buffer = new ReadOnlySequence<byte>(headerBytes);
        FrameReader.TryReadHeader(ref buffer, version, out var header);
        var payload = new byte[header.PayloadLength];
        await readExactly(payload);
        buffer = new ReadOnlySequence<byte>(payload);
        FrameReader.TryReadPayload(ref buffer, header, out _);
        return new Frame(header, payload);
    }
}
