using System.Net;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>Counts open connections, in all and per client address, against <see cref="FtpServerOptions"/>' limits.</summary>
internal sealed class ConnectionLimiter(FtpServerOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
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

    /// <summary>Counts a connection if both limits allow it; the lease returned uncounts it. Null when over a limit.</summary>
    public IDisposable? TryAcquire(EndPoint? remote)
    {
        var address = ClientAddress.Of(remote);
        lock (_gate)
        {
            _perAddress.TryGetValue(address, out int count);
            if (_total >= options.MaxConnections || count >= options.MaxConnectionsPerAddress)
            {
                return null;
            }
            _perAddress[address] = count + 1;
            _total++;
        }
        return new Lease(this, address);
    }

    private void Release(IPAddress address)
    {
        lock (_gate)
        {
            _total--;
            if (--_perAddress[address] == 0)
            {
                _perAddress.Remove(address);
            }
        }
    }

    private sealed class Lease(ConnectionLimiter owner, IPAddress address) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(address);
            }
        }
    }
}

/// <summary>
/// Decides whether an upload may start: its size against <see cref="FtpServerOptions.MaxFileSize"/>, the root's
/// <see cref="FtpServerOptions.Quota"/> and the drive's free space less <see cref="FtpServerOptions.FreeSpaceReserve"/>.
/// Bytes that running uploads have yet to write are reserved, so that concurrent uploads cannot pass a limit together.
/// </summary>
internal sealed class StorageGuard(FtpServerOptions options, string root)
{
    private readonly object _gate = new();
    private long _reserved;

    /// <summary>Checks the announced length; throws <see cref="FtpStatus.FileTooLarge"/>.</summary>
    public void CheckFileSize(long length, string path)
    {
        if (length > options.MaxFileSize)
        {
            throw new FtpException(FtpStatus.FileTooLarge, $"The file is {length} bytes; this server accepts files of at most {options.MaxFileSize} bytes.") { RemotePath = path };
        }
    }

    /// <summary>Reserves the <paramref name="bytes"/> an upload will still write; throws <see cref="FtpStatus.InsufficientStorage"/> when they do not fit.</summary>
    public IDisposable Reserve(long bytes, string path)
    {
        lock (_gate)
        {
            long wanted = _reserved + bytes;
            if (options.Quota > 0 && UsedBytes() + wanted > options.Quota)
            {
                throw new FtpException(FtpStatus.InsufficientStorage, $"The upload would pass the server's quota of {options.Quota} bytes.") { RemotePath = path };
            }
            long available = new DriveInfo(root).AvailableFreeSpace - options.FreeSpaceReserve;
            if (wanted > available)
            {
                throw new FtpException(FtpStatus.InsufficientStorage, "The server has too little free space for this file.") { RemotePath = path };
            }
            _reserved = wanted;
        }
        return new Reservation(this, bytes);
    }

    /// <summary>What the files under the root take now, partial uploads included.</summary>
    private long UsedBytes()
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            total += file.Length;
        }
        return total;
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _reserved -= bytes;
        }
    }

    private sealed class Reservation(StorageGuard owner, long bytes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(bytes);
            }
        }
    }
}
