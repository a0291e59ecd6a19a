using System.Net;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// Decides whether an upload may go on: its size against <see cref="FtpServerOptions.MaxFileSize"/>, and its bytes against
/// the root's <see cref="FtpServerOptions.Quota"/> and the drive's free space less <see cref="FtpServerOptions.FreeSpaceReserve"/>.
/// Bytes are reserved as the body arrives, a window (<see cref="FtpServerOptions.UploadReserveWindow"/>) ahead of it, so
/// that concurrent uploads cannot pass a limit together, and an upload that announces much but sends little holds
/// little: one window per connection, at most <see cref="FtpServerOptions.MaxReservedPerAddress"/> for all the uploads
/// of one client address (past it an upload reserves only the DATA frame it is receiving, at most 1 MiB).
/// </summary>
/// <remarks>A store without a local folder (<paramref name="root"/> null: S3) has no free space to measure and no quota (refused at start).</remarks>
internal sealed class StorageGuard(FtpServerOptions options, string? root)
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, long> _perAddress = [];
    // Held by running uploads: their windows, the bytes written from them since they were last renewed included (on the safe side).
    private long _reserved;
    // With a quota: what the files under the root take, measured when an upload starts and counted on as windows are written.
    private long _used;

    /// <summary>Checks the announced length; throws <see cref="FtpStatus.FileTooLarge"/>.</summary>
    public void CheckFileSize(long length, string path)
    {
        if (length > options.MaxFileSize)
        {
            throw new FtpException(FtpStatus.FileTooLarge, $"The file is {length} bytes; this server accepts files of at most {options.MaxFileSize} bytes.") { RemotePath = path };
        }
    }

    /// <summary>
    /// Starts the reservation of an upload from <paramref name="address"/> that will write <paramref name="remaining"/>
    /// more bytes, with its first window; throws <see cref="FtpStatus.InsufficientStorage"/> when that does not fit.
    /// </summary>
    public UploadSpace Begin(IPAddress address, long remaining, string path)
    {
        var space = new UploadSpace(this, address, remaining, path);
        lock (_gate)
        {
            if (options.Quota > 0 && root is not null)
            {
                // Once per upload, as before, never per window: each measurement walks the whole tree.
                _used = UsedBytes();
            }
            Extend(space, 0);
        }
        return space;
    }

    /// <summary>Gives <paramref name="space"/> a new window that holds at least <paramref name="needed"/> bytes; throws <see cref="FtpStatus.InsufficientStorage"/>.</summary>
    internal void Renew(UploadSpace space, long needed)
    {
        lock (_gate)
        {
            Extend(space, needed);
        }
    }

    /// <summary>Ends <paramref name="space"/>'s reservation: what it wrote counts as used, the rest is free again.</summary>
    internal void Release(UploadSpace space)
    {
        lock (_gate)
        {
            Settle(space);
            _reserved -= space.Held;
            Hold(space.Address, -space.Held);
            space.Held = space.Left = 0;
        }
    }

    private void Extend(UploadSpace space, long needed)
    {
        Settle(space);
        // A full window, or the rest of the file; less when the address holds its share already, never less than the frame in hand.
        long room = Math.Max(0, options.MaxReservedPerAddress - _perAddress.GetValueOrDefault(space.Address));
        long window = Math.Max(needed, Math.Min(Math.Min(options.UploadReserveWindow, space.Remaining), space.Held + room));
        long wanted = _reserved + window - space.Held;
        if (root is null)
        {
            // Nothing local to measure (an object store): only the windows are kept, for the per-address bound.
            _reserved = wanted;
            Hold(space.Address, window - space.Held);
            space.Held = space.Left = window;
            return;
        }
        if (options.Quota > 0 && _used + wanted > options.Quota)
        {
            throw new FtpException(FtpStatus.InsufficientStorage, $"The upload would pass the server's quota of {options.Quota} bytes.") { RemotePath = space.Path };
        }
        long available = new DriveInfo(root).AvailableFreeSpace - options.FreeSpaceReserve;
        if (wanted > available)
        {
            throw new FtpException(FtpStatus.InsufficientStorage, "The server has too little free space for this file.") { RemotePath = space.Path };
        }
        _reserved = wanted;
        Hold(space.Address, window - space.Held);
        space.Held = space.Left = window;
    }

    /// <summary>The bytes written from <paramref name="space"/>'s window are in the files now: used, no longer reserved.</summary>
    private void Settle(UploadSpace space)
    {
        long written = space.Held - space.Left;
        _reserved -= written;
        _used += written;
        Hold(space.Address, -written);
        space.Held = space.Left;
    }

    private void Hold(IPAddress address, long bytes)
    {
        long held = _perAddress.GetValueOrDefault(address) + bytes;
        if (held == 0)
        {
            _perAddress.Remove(address);
        }
        else
        {
            _perAddress[address] = held;
        }
    }

    /// <summary>What the files under the root take now, partial uploads included (called only with a root: see Begin).</summary>
    private long UsedBytes()
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(root!).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            total += file.Length;
        }
        return total;
    }
}
