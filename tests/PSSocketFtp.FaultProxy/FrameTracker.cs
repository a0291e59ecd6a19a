using System.Buffers.Binary;

namespace PSSocketFtp.FaultProxy;

/// <summary>Which bytes a flip may hit.</summary>
public enum FlipScope
{
    /// <summary>
    /// Frame headers and DATA payloads: the bytes whose damage the protocol can notice (a broken frame, or a body whose
    /// hash is wrong). A flip that lands elsewhere moves on to the next such byte.
    /// </summary>
    Frames,

    /// <summary>
    /// Any byte, the handshake and the fields of requests and answers too. Nothing in protocol version 1 protects those
    /// fields: a flipped path is refused as invalid or names another file.
    /// </summary>
    Any,
}

/// <summary>
/// Follows one direction of a PSSocketFtp connection (8 bytes of handshake, then 10-byte frame headers and their
/// payloads) to tell which bytes are frame headers or DATA payloads. Once a header byte was changed on the way the
/// receiver reads a different stream than this tracker, so it says no byte is eligible any more.
/// </summary>
internal sealed class FrameTracker
{
    private const int HandshakeSize = 8;
    private const int HeaderSize = 10;
    private const byte DataType = 0x10;
    private readonly byte[] _header = new byte[HeaderSize];
    private long _handshakeLeft = HandshakeSize;
    private int _headerFill;
    private long _payloadLeft;
    private bool _payloadIsData;
    private bool _lost;

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>Consumes bytes as they pass.</summary>
    public void Consume(ReadOnlySpan<byte> data)
    {
        Position += data.Length;
        int i = 0;
        while (i < data.Length && !_lost)
        {
            if (_handshakeLeft > 0 || _payloadLeft > 0)
            {
                int n = (int)Math.Min(_handshakeLeft > 0 ? _handshakeLeft : _payloadLeft, data.Length - i);
                if (_handshakeLeft > 0)
                {
                    _handshakeLeft -= n;
                }
                else
                {
                    _payloadLeft -= n;
                }
                i += n;
                continue;
            }
            _header[_headerFill++] = data[i++];
            if (_headerFill == HeaderSize)
            {
                _payloadLeft = BinaryPrimitives.ReadUInt32BigEndian(_header);
                _payloadIsData = _header[4] == DataType;
                _headerFill = 0;
            }
        }
    }

    /// <summary>How many bytes from here to the next eligible one (0: the next byte is); -1 when none will be.</summary>
    public long UntilEligible() =>
        _lost ? -1
        : _handshakeLeft > 0 ? _handshakeLeft
        : _payloadLeft > 0 ? (_payloadIsData ? 0 : _payloadLeft)
        : 0;

    /// <summary>Tells the tracker that the next byte is being changed; a header byte changed means it lost the thread.</summary>
    public void Changing()
    {
        if (_handshakeLeft == 0 && _payloadLeft == 0)
        {
            _lost = true;
        }
    }
}
