using System.Net;

namespace PSSocketFtp.Server;

/// <summary>What <see cref="ProxyHeaderParser"/> made of the start of a connection.</summary>
/// <param name="Status">Whether a whole header was there.</param>
/// <param name="Length">The header's length in bytes, when <see cref="ProxyHeaderStatus.Parsed"/>: what the connection's own bytes follow.</param>
/// <param name="Source">The client's end point, when the header names a TCP client; null for LOCAL (the proxy's own connection, e.g. a health check) and for families other than TCP over IPv4 or IPv6.</param>
/// <param name="Error">Why the bytes are no header, when <see cref="ProxyHeaderStatus.Invalid"/>.</param>
internal readonly record struct ProxyHeader(ProxyHeaderStatus Status, int Length = 0, IPEndPoint? Source = null, string? Error = null)
{
    /// <summary>More bytes are needed to tell.</summary>
    public static ProxyHeader Incomplete => new(ProxyHeaderStatus.Incomplete);

    /// <summary>The bytes are no PROXY protocol header.</summary>
    public static ProxyHeader Invalid(string error) => new(ProxyHeaderStatus.Invalid, Error: error);
}
