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

    /// <summary>
    /// The client's network for counting failed logins: its IPv4 address, or the /64 its IPv6 address lies in. A single
    /// IPv6 host usually holds a whole /64 and may use any address of it, so counting single addresses would let one
    /// guesser start afresh with each.
    /// </summary>
    public static IPAddress NetworkOf(EndPoint? remote)
    {
        var address = Of(remote);
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }
        byte[] bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
