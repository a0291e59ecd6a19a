namespace PSSocketFtp.Protocol;

/// <summary>Fixed numbers of protocol versions 1 to 3 (see docs/protocol.md).</summary>
public static class ProtocolConstants
{
    /// <summary>The four bytes "PSFT" that open both handshake messages.</summary>
    public static ReadOnlySpan<byte> Magic => "PSFT"u8;

    /// <summary>The highest protocol version this library speaks.</summary>
    public const byte Version = 3;

    /// <summary>The lowest protocol version this library speaks: version 1 peers are still served.</summary>
    public const byte MinVersion = 1;

    /// <summary>The first version whose frames carry checksums (<see cref="FrameChecksum"/>).</summary>
    public const byte ChecksumVersion = 2;

    /// <summary>The first version in which a client may have many requests in flight on one connection (docs/protocol.md §7).</summary>
    public const byte MultiplexVersion = 3;

    /// <summary>
    /// How many requests a version 3 client may have in flight on one connection: a request beyond them is answered
    /// <see cref="FtpStatus.ServerBusy"/> at once, so that a server's memory for one connection stays bounded.
    /// </summary>
    public const int MaxOpenStreams = 64;

    /// <summary>Size of each handshake message in bytes.</summary>
    public const int HandshakeSize = 8;

    /// <summary>Size of a version 1 frame header in bytes: length (4), type (1), flags (1), stream id (4).</summary>
    public const int HeaderSize = 10;

    /// <summary>
    /// Size of a version 2 frame header in bytes: the version 1 header, the payload's checksum (4) and the header's own
    /// checksum (4). The largest header of any version.
    /// </summary>
    public const int ChecksummedHeaderSize = HeaderSize + 8;

    /// <summary>Largest payload of any frame other than <see cref="FrameType.Data"/>.</summary>
    public const int MaxControlPayload = 64 * 1024;

    /// <summary>Largest payload of a <see cref="FrameType.Data"/> frame.</summary>
    public const int MaxDataPayload = 1024 * 1024;

    /// <summary>The payload size senders use for file bodies: large enough that framing costs nothing measurable.</summary>
    public const int DataChunkSize = 256 * 1024;

    /// <summary>Longest remote path, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>Longest single name (one path segment), in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Deepest remote path, in segments.</summary>
    public const int MaxPathDepth = 64;

    /// <summary>The TCP port a server listens on when none is configured.</summary>
    public const int DefaultPort = 7021;
}
