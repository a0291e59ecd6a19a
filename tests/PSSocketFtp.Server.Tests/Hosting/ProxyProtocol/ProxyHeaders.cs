using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSSocketFtp.Server.Tests;

/// <summary>PROXY protocol headers as HAProxy writes them, built byte by byte from the specification.</summary>
internal static class ProxyHeaders
{
    public static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>A version 2 header with the command and family bytes and the payload (addresses, then TLVs) given.</summary>
    public static byte[] V2(byte versionCommand, byte familyTransport, ReadOnlySpan<byte> payload)
    {
        var header = new byte[16 + payload.Length];
        Signature.CopyTo(header, 0);
        header[12] = versionCommand;
        header[13] = familyTransport;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)payload.Length);
        payload.CopyTo(header.AsSpan(16));
        return header;
    }

    /// <summary>A version 2 PROXY header for a TCP connection from <paramref name="source"/> (IPv4 or IPv6) to <paramref name="destination"/>, followed by <paramref name="tlvs"/>.</summary>
    public static byte[] V2Proxy(IPEndPoint source, IPEndPoint destination, byte[]? tlvs = null)
    {
        bool v4 = source.AddressFamily == AddressFamily.InterNetwork;
        int size = v4 ? 4 : 16;
        var payload = new byte[(2 * size) + 4 + (tlvs?.Length ?? 0)];
        source.Address.GetAddressBytes().CopyTo(payload, 0);
        destination.Address.GetAddressBytes().CopyTo(payload, size);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2 * size), (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan((2 * size) + 2), (ushort)destination.Port);
        tlvs?.CopyTo(payload, (2 * size) + 4);
        return V2(0x21, v4 ? (byte)0x11 : (byte)0x21, payload);
    }

    /// <summary>A version 2 PROXY header for a TCP connection from <paramref name="source"/> (an IPv4 address) to the server.</summary>
    public static byte[] V2Proxy(string source, int port = 40000) =>
        V2Proxy(new IPEndPoint(IPAddress.Parse(source), port), new IPEndPoint(IPAddress.Parse(source.Contains(':') ? "::1" : "127.0.0.1"), 7021));

    /// <summary>The version 2 LOCAL header HAProxy sends on a health check (check-send-proxy): no addresses.</summary>
    public static byte[] V2Local() => V2(0x20, 0x00, []);

    public static byte[] V1(string line) => Encoding.ASCII.GetBytes(line);
}
