using System.Net;

namespace PSSocketFtp.Server;

/// <summary>The client address that per-address limits count by.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// The IP address of <paramref name="remote"/>, an IPv4 address seen through an IPv6 socket as itself. Unix sockets
    /// and the like have no address; they share <see cref="IPAddress.None"/>.
    /// </summary>
    public static IPAddress Of(EndPoint? remote)
    {
        var address = (remote as IPEndPoint)?.Address ?? IPAddress.None;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
