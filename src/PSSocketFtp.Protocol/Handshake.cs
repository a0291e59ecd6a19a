using System.Buffers.Binary;

namespace PSSocketFtp.Protocol;

/// <summary>
/// The two 8-byte messages that open a connection. The client sends magic, the lowest and highest versions it speaks
/// and two bytes that, from version 2 on, check the first six; the server answers with magic, the version chosen, a
/// check byte (from version 2 on) and a 16-bit <see cref="FtpStatus"/>.
/// </summary>
public static class Handshake
{
    /// <summary>Writes the client's hello; a client that offers version 2 or later adds the hello's check.</summary>
    public static void WriteHello(Span<byte> destination, byte minVersion = ProtocolConstants.MinVersion, byte maxVersion = ProtocolConstants.Version)
    {
        ProtocolConstants.Magic.CopyTo(destination);
        destination[4] = minVersion;
        destination[5] = maxVersion;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(6), maxVersion >= ProtocolConstants.ChecksumVersion ? HelloCheck(destination) : (ushort)0);
    }

    /// <summary>Reads a client's hello and chooses the highest version both sides speak.</summary>
    /// <param name="source">The hello.</param>
    /// <param name="maxVersion">The highest version this side speaks.</param>
    /// <returns>The version to speak; 0 when the client speaks none this side knows.</returns>
    /// <exception cref="FtpException">The bytes are not a hello, or the hello was damaged on the way (<see cref="FtpStatus.MalformedFrame"/>).</exception>
    public static byte ReadHello(ReadOnlySpan<byte> source, byte maxVersion = ProtocolConstants.Version)
    {
        CheckMagic(source);
        byte min = source[4], max = source[5];
        ushort check = BinaryPrimitives.ReadUInt16BigEndian(source.Slice(6));
        // A version 1 client sends zeros; anything else, or an offer of version 2, must check out.
        if ((max >= ProtocolConstants.ChecksumVersion || check != 0) && check != HelloCheck(source))
        {
            throw FtpException.Malformed("The hello was damaged on the way (its check does not match).");
        }
        byte chosen = Math.Min(max, maxVersion);
        return chosen >= Math.Max(min, ProtocolConstants.MinVersion) ? chosen : (byte)0;
    }

    /// <summary>Writes the server's reply; a reply that chooses version 2 or later carries the reply's check.</summary>
    public static void WriteReply(Span<byte> destination, byte version, FtpStatus status)
    {
        ProtocolConstants.Magic.CopyTo(destination);
        destination[4] = version;
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(6), (ushort)status);
        destination[5] = version >= ProtocolConstants.ChecksumVersion ? ReplyCheck(destination) : (byte)0;
    }

    /// <summary>Reads the server's reply to a hello that offered <paramref name="minVersion"/> to <paramref name="maxVersion"/>.</summary>
    /// <returns>The version the server chose.</returns>
    /// <exception cref="FtpException">
    /// The server refused the connection (with its status), or the bytes cannot be the reply a server sends to this
    /// hello: bad magic, a failed check, a version the hello did not offer (<see cref="FtpStatus.MalformedFrame"/>).
    /// </exception>
    public static byte ReadReply(ReadOnlySpan<byte> source, byte minVersion = ProtocolConstants.MinVersion, byte maxVersion = ProtocolConstants.Version)
    {
        CheckMagic(source);
        byte version = source[4];
        // A version 1 server sends 0 here; a check present, or a version 2 reply, must match, so that damage cannot
        // turn a version 2 reply into a refusal or into version 1 (a session without checksums).
        if ((source[5] != 0 || version >= ProtocolConstants.ChecksumVersion) && source[5] != ReplyCheck(source))
        {
            throw FtpException.Malformed("The server's handshake reply was damaged on the way (its check does not match).");
        }
        var status = (FtpStatus)BinaryPrimitives.ReadUInt16BigEndian(source.Slice(6));
        if (status != FtpStatus.Ok)
        {
            throw new FtpException(status, $"The server refused the connection: {status}.");
        }
        if (version < minVersion || version > maxVersion)
        {
            // A server only ever chooses from the offer: this reply was damaged on the way.
            throw FtpException.Malformed($"The server chose protocol version {version}, which this client did not offer ({minVersion} to {maxVersion}).");
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

    // Never 0, so that 0 keeps meaning "a version 1 peer, no check".
    private static ushort HelloCheck(ReadOnlySpan<byte> hello) => (ushort)((FrameChecksum.Of(hello.Slice(0, 6)) % ushort.MaxValue) + 1);

    private static byte ReplyCheck(ReadOnlySpan<byte> reply)
    {
        // Every byte but the check itself.
        Span<byte> covered = stackalloc byte[7];
        reply.Slice(0, 5).CopyTo(covered);
        reply.Slice(6, 2).CopyTo(covered.Slice(5));
        return (byte)((FrameChecksum.Of(covered) % byte.MaxValue) + 1);
    }
}
