using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSSocketFtp.Server;

/// <summary>
/// Reads a PROXY protocol header (HAProxy's, version 2 binary or version 1 text) from the first bytes of a connection:
/// the client's address as the proxy saw it. Pure: it looks at the bytes it is given and keeps nothing.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>The most address and TLV bytes a version 2 header may announce; a longer one is refused (HAProxy's own TLVs fit well within it).</summary>
    public const int MaxV2PayloadLength = 536;

    /// <summary>The longest a header can be: what a reader needs to hold to tell.</summary>
    public const int MaxLength = V2FixedLength + MaxV2PayloadLength;

    /// <summary>The longest version 1 line, CRLF included (the specification's limit).</summary>
    public const int MaxV1Length = 107;

    private const int V2FixedLength = 16;
    private const int V2Inet = 12;
    private const int V2Inet6 = 36;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>Parses the header at the start of <paramref name="bytes"/>; bytes after it are the connection's own and are not looked at.</summary>
    public static ProxyHeader Parse(ReadOnlySpan<byte> bytes)
    {
        if (StartsWithPrefixOf(bytes, V2Signature))
        {
            return ParseV2(bytes);
        }
        if (StartsWithPrefixOf(bytes, V1Prefix))
        {
            return ParseV1(bytes);
        }
        return ProxyHeader.Invalid("no PROXY protocol signature");
    }

    // True when the bytes so far agree with the prefix (all of it, or as many bytes as there are).
    private static bool StartsWithPrefixOf(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> prefix) =>
        bytes.Length >= prefix.Length ? bytes.StartsWith(prefix) : prefix.StartsWith(bytes);

    private static ProxyHeader ParseV2(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < V2FixedLength)
        {
            return ProxyHeader.Incomplete;
        }
        int version = bytes[12] >> 4, command = bytes[12] & 0x0F;
        int family = bytes[13] >> 4, transport = bytes[13] & 0x0F;
        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[14..]);
        if (version != 2)
        {
            return ProxyHeader.Invalid($"version {version}, not 2");
        }
        if (command > 1)
        {
            return ProxyHeader.Invalid($"unknown command {command}");
        }
        if (length > MaxV2PayloadLength)
        {
            return ProxyHeader.Invalid($"{length} bytes of addresses and TLVs, more than {MaxV2PayloadLength}");
        }
        if (bytes.Length < V2FixedLength + length)
        {
            return ProxyHeader.Incomplete;
        }
        int total = V2FixedLength + length;
        var payload = bytes.Slice(V2FixedLength, length);
        // LOCAL: the proxy's own connection (a health check); its addresses, if any, say nothing about a client.
        // PROXY over anything but TCP (UNSPEC, UDP, Unix sockets): no IP client to name, so the proxy's address stays.
        if (command == 0 || transport != 1)
        {
            return new ProxyHeader(ProxyHeaderStatus.Parsed, total);
        }
        switch (family)
        {
            case 1:
                if (length < V2Inet)
                {
                    return ProxyHeader.Invalid($"{length} bytes are too few for IPv4 addresses");
                }
                return new ProxyHeader(ProxyHeaderStatus.Parsed, total,
                    new IPEndPoint(new IPAddress(payload[..4]), BinaryPrimitives.ReadUInt16BigEndian(payload[8..])));
            case 2:
                if (length < V2Inet6)
                {
                    return ProxyHeader.Invalid($"{length} bytes are too few for IPv6 addresses");
                }
                return new ProxyHeader(ProxyHeaderStatus.Parsed, total,
                    new IPEndPoint(new IPAddress(payload[..16]), BinaryPrimitives.ReadUInt16BigEndian(payload[32..])));
            default:
                return new ProxyHeader(ProxyHeaderStatus.Parsed, total);
        }
    }

    // "PROXY TCP4 <src> <dst> <srcport> <dstport>\r\n", "PROXY TCP6 ...", or "PROXY UNKNOWN[ anything]\r\n".
    private static ProxyHeader ParseV1(ReadOnlySpan<byte> bytes)
    {
        var window = bytes[..Math.Min(bytes.Length, MaxV1Length)];
        int end = window.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return bytes.Length >= MaxV1Length ? ProxyHeader.Invalid($"a version 1 line longer than {MaxV1Length} bytes") : ProxyHeader.Incomplete;
        }
        var line = window[..end];
        if (line.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return ProxyHeader.Invalid("a version 1 line with bytes that are not printable ASCII");
        }
        string[] fields = Encoding.ASCII.GetString(line).Split(' ');
        int total = end + 2;
        if (fields is [_, "UNKNOWN", ..])
        {
            return new ProxyHeader(ProxyHeaderStatus.Parsed, total);
        }
        if (fields is not [_, "TCP4" or "TCP6", var source, _, var sourcePort, var destinationPort])
        {
            return ProxyHeader.Invalid("a version 1 line that is neither TCP4, TCP6 nor UNKNOWN with two addresses and two ports");
        }
        var family = fields[1] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(source, out var address) || address.AddressFamily != family
            || !IPAddress.TryParse(fields[3], out var destination) || destination.AddressFamily != family
            || !TryParsePort(sourcePort, out int port) || !TryParsePort(destinationPort, out _))
        {
            return ProxyHeader.Invalid($"a version 1 {fields[1]} line with a bad address or port");
        }
        return new ProxyHeader(ProxyHeaderStatus.Parsed, total, new IPEndPoint(address, port));
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= IPEndPoint.MaxPort;
}
