using System.Net;

namespace PSSocketFtp.Server;

/// <summary>
/// The storage one upload holds reserved in its <see cref="StorageGuard"/>: a window ahead of the bytes written, renewed
/// as they come. Used by its session only, one call at a time; the guard changes it under its lock.
/// </summary>
internal sealed class UploadSpace(StorageGuard guard, IPAddress address, long remaining, string path) : IDisposable
{
    private bool _disposed;

    /// <summary>The client address whose share this counts against.</summary>
    public IPAddress Address { get; } = address;

    /// <summary>The remote path, for the error.</summary>
    public string Path { get; } = path;

    /// <summary>Bytes of the announced body not written yet.</summary>
    public long Remaining { get; private set; } = remaining;

    /// <summary>Bytes counted in the guard for this upload: its window, the part written since it was granted included.</summary>
    internal long Held { get; set; }

    /// <summary>Of <see cref="Held"/>, the bytes not written yet.</summary>
    internal long Left { get; set; }

    /// <summary>
    /// Accounts for <paramref name="bytes"/> about to be written, renewing the window when they pass it; throws
    /// <see cref="PSSocketFtp.Protocol.FtpStatus.InsufficientStorage"/> when there is no room for them.
    /// </summary>
    public void Take(long bytes)
    {
        if (bytes > Left)
        {
            guard.Renew(this, bytes);
        }
        Left -= bytes;
        Remaining -= bytes;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            guard.Release(this);
        }
    }
}
