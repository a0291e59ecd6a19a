using System.Buffers;

namespace PSSocketFtp.Protocol.Framing;

/// <summary>
/// Cuts frames out of received bytes, for any transport (a pipe's buffer, or a stream's bytes wrapped in a sequence):
/// pure functions over <see cref="ReadOnlySequence{T}"/> that say "not yet" when bytes are missing, in the shape of
/// Kestrel's <c>Http2FrameReader</c>. The checks are the protocol's, in its order (docs/protocol.md §2.1): in version 2
/// the header's check before its length is believed, so a damaged length is never waited for; then the length against
/// the type's limit; then the payload's check before any byte of it is handed out.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Reads the frame header at the start of <paramref name="buffer"/>. False, with <paramref name="buffer"/> unchanged,
    /// while fewer bytes than a header of <paramref name="version"/> are there; else true, with <paramref name="buffer"/>
    /// moved past the header (to the payload).
    /// </summary>
    /// <exception cref="FtpException">
    /// The header was damaged (<see cref="FtpStatus.MalformedFrame"/>), or announces more than its type may carry
    /// (<see cref="FtpStatus.FrameTooLarge"/>).
    /// </exception>
    public static bool TryReadHeader(ref ReadOnlySequence<byte> buffer, byte version, out FrameHeader header)
    {
        int size = FrameHeader.Size(version);
        if (buffer.Length < size)
        {
            header = default;
            return false;
        }
        Span<byte> bytes = stackalloc byte[ProtocolConstants.ChecksummedHeaderSize];
        bytes = bytes.Slice(0, size);
        buffer.Slice(0, size).CopyTo(bytes);
        header = FrameHeader.Read(bytes, version);
        buffer = buffer.Slice(size);
        return true;
    }

    /// <summary>
    /// Reads the payload that <paramref name="header"/> announced, from the start of <paramref name="buffer"/>. False,
    /// with <paramref name="buffer"/> unchanged, while not all of it is there; else true, with the payload checked
    /// against the header's checksum (version 2) and <paramref name="buffer"/> moved past it.
    /// </summary>
    /// <exception cref="FtpException">The payload was damaged on the way (<see cref="FtpStatus.MalformedFrame"/>).</exception>
    public static bool TryReadPayload(ref ReadOnlySequence<byte> buffer, in FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        if (buffer.Length < header.PayloadLength)
        {
            payload = default;
            return false;
        }
        payload = buffer.Slice(0, header.PayloadLength);
        header.CheckPayload(payload);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>
    /// Reads one whole frame from the start of <paramref name="buffer"/>. False, with <paramref name="buffer"/> unchanged,
    /// while the header or the payload is not all there (a pipe's reader then marks everything examined and waits for
    /// more); else true, with <paramref name="buffer"/> moved past the frame. The payload is a slice of
    /// <paramref name="buffer"/>: valid until the caller lets the transport reuse those bytes.
    /// </summary>
    /// <exception cref="FtpException">
    /// The header or the payload was damaged (<see cref="FtpStatus.MalformedFrame"/>), or the header announces more than
    /// its type may carry (<see cref="FtpStatus.FrameTooLarge"/>). A damaged header is refused as soon as its bytes are
    /// there, before any payload byte arrives.
    /// </exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, byte version, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        var rest = buffer;
        if (!TryReadHeader(ref rest, version, out header) || !TryReadPayload(ref rest, header, out payload))
        {
            header = default;
            payload = default;
            return false;
        }
        buffer = rest;
        return true;
    }
}
