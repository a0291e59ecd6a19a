using System.Net;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// Counts open connections, in all and per client address, against <see cref="FtpServerOptions"/>' limits. A newcomer
/// over a limit takes the slot of the oldest connection within that limit that is not ready yet (not logged in, or on an
/// anonymous server without a request so far), which is closed; only when every such slot holds a ready connection is
/// the newcomer refused. So connections that merely wait cannot keep out a client that logs in.
/// </summary>
internal sealed class ConnectionLimiter(FtpServerOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    // The connections not ready yet, oldest first.
    private readonly LinkedList<Lease> _waiting = new();
    private int _total;

    /// <summary>Connections counted now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>
    /// Counts a connection, making room if need be by closing the oldest connection not ready yet; the lease returned
    /// uncounts it. Null when over a limit with no room to make.
    /// </summary>
    /// <param name="remote">The client's end point.</param>
    /// <param name="close">Closes this connection, should a newcomer take its slot before it is ready.</param>
    public Lease? TryAcquire(EndPoint? remote, Action close)
    {
        var address = ClientAddress.Of(remote);
        Lease? displaced = null;
        var lease = new Lease(this, address, close);
        lock (_gate)
        {
            _perAddress.TryGetValue(address, out int count);
            bool addressFull = count >= options.MaxConnectionsPerAddress;
            if (addressFull || _total >= options.MaxConnections)
            {
                // Over the address's limit the room must come from that address; over the total only, from anyone.
                displaced = _waiting.FirstOrDefault(waiting => !addressFull || waiting.Address.Equals(address));
                if (displaced is null)
                {
                    return null;
                }
                Uncount(displaced);
            }
            _perAddress[address] = _perAddress.GetValueOrDefault(address) + 1;
            _total++;
            lease.Node = _waiting.AddLast(lease);
            lease.Counted = true;
        }
        displaced?.Close();
        return lease;
    }

    private void MarkReady(Lease lease)
    {
        lock (_gate)
        {
            if (lease.Node is { } node)
            {
                _waiting.Remove(node);
                lease.Node = null;
            }
        }
    }

    private void Release(Lease lease)
    {
        lock (_gate)
        {
            if (lease.Counted)
            {
                Uncount(lease);
            }
        }
    }

    private void Uncount(Lease lease)
    {
        _total--;
        if (--_perAddress[lease.Address] == 0)
        {
            _perAddress.Remove(lease.Address);
        }
        if (lease.Node is { } node)
        {
            _waiting.Remove(node);
            lease.Node = null;
        }
        lease.Counted = false;
    }

    /// <summary>A counted connection; disposing it uncounts it (once, and not at all if a newcomer took its slot).</summary>
    internal sealed class Lease(ConnectionLimiter owner, IPAddress address, Action close) : IDisposable
    {
        public IPAddress Address { get; } = address;

        // Both guarded by the owner's lock: whether the lease still holds a slot, and its place among those not ready.
        public bool Counted { get; set; }

        public LinkedListNode<Lease>? Node { get; set; }

        /// <summary>The connection is ready: its slot is no longer offered to newcomers.</summary>
        public void MarkReady() => owner.MarkReady(this);

        public void Close() => close();

        public void Dispose() => owner.Release(this);
    }
}
