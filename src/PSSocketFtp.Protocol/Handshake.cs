using System.Buffers.Binary;

namespace PSSocketFtp.Protocol;

/// <summary>
/// The two 8-byte messages that open a connection. The client sends magic, the lowest and highest
/// versions it speaks and two reserved zero bytes; the server answers with magic, the version chosen,
/// a reserved zero byte and a 16-bit <see cref="FtpStatus"/>.
/// </summary>
public static class Handshake
{
    /// <summary>Writes the client's hello.</summary>
    public static void WriteHello(Span<byte> destination, byte minVersion = ProtocolConstants.Version, byte maxVersion = ProtocolConstants.Version)
    {
        ProtocolConstants.Magic.CopyTo(destination);
        destination[4] = minVersion;
        destination[5] = maxVersion;
        destination[6] = 0;
        destination[7] = 0;
    }

    /// <summary>Reads a client's hello and chooses the version to speak.</summary>
    /// <returns>The version to speak; 0 when the client speaks none this side knows.</returns>
    /// <exception cref="FtpException">The bytes are not a hello.</exception>
    public static byte ReadHello(ReadOnlySpan<byte> source)
    {
        CheckMagic(source);
        byte min = source[4], max = source[5];
        return min <= ProtocolConstants.Version && ProtocolConstants.Version <= max ? ProtocolConstants.Version : (byte)0;
    }

    /// <summary>Writes the server's reply.</summary>
    public static void WriteReply(Span<byte> destination, byte version, FtpStatus status)
    {
        ProtocolConstants.Magic.CopyTo(destination);
        destination[4] = version;
        destination[5] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(6), (ushort)status);
    }

    /// <summary>Reads the server's reply to a hello that offered <paramref name="minVersion"/> to <paramref name="maxVersion"/>.</summary>
    /// <returns>The version the server chose.</returns>
    /// <exception cref="FtpException">
    /// The bytes are not a reply, the server refused the connection, or it chose a version the hello did not offer.
    /// </exception>
    public static byte ReadReply(ReadOnlySpan<byte> source, byte minVersion = ProtocolConstants.Version, byte maxVersion = ProtocolConstants.Version)
    {
        CheckMagic(source);
        var status = (FtpStatus)BinaryPrimitives.ReadUInt16BigEndian(source.Slice(6));
        if (status != FtpStatus.Ok)
        {
            throw new FtpException(status, $"The server refused the connection: {status}.");
        }
        byte version = source[4];
        if (version < minVersion || version > maxVersion)
        {
            // Speaking a version we do not know would misread every frame that follows.
            throw new FtpException(FtpStatus.UnsupportedVersion, $"The server chose protocol version {version}, which this client does not speak ({minVersion} to {maxVersion}).");
        }
        return version;
    }

    private static void CheckMagic(ReadOnlySpan<byte> source)
    {
        if (!source.Slice(0, 4).SequenceEqual(ProtocolConstants.Magic))
        {
            throw FtpException.Malformed("The peer does not speak the PSSocketFtp protocol (bad magic).");
        }
    }
}
