using System.Runtime.InteropServices;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// An item opened by path and held by its handle. On Linux, <see cref="Path"/> is <c>/proc/self/fd/N</c>: every use of it
/// (and of a name below it) reaches the very item that was opened, whatever its path leads to meanwhile, and
/// <see cref="RealPath"/> is where the kernel says that item is. Elsewhere both are the path itself, so the jail rests
/// on the checks made just before.
/// </summary>
internal sealed class PinnedItem : IDisposable
{
    // An O_PATH descriptor opens files and folders alike, reads nothing and needs no permission on the item itself.
    private const int O_PATH = 0x200000;
    private const int O_CLOEXEC = 0x80000;
    private const int ENOENT = 2;
    private const int EACCES = 13;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const int AT_EMPTY_PATH = 0x1000;
    private const int F_DUPFD_CLOEXEC = 1030;
    private const string FdFolder = "/proc/self/fd";
    private int _fd;

    private PinnedItem(int fd, string path, string realPath)
    {
        _fd = fd;
        Path = path;
        RealPath = realPath;
    }

    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Directory.Exists(FdFolder);

    public string Path { get; }

    public string RealPath { get; }

    /// <summary>Opens <paramref name="full"/> following links; null when nothing is there (or a link leads nowhere).</summary>
    public static PinnedItem? Open(string full)
    {
        if (!IsSupported)
        {
            return OpenUnpinned(full, full);
        }
        int fd = open(full, O_PATH | O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // A loop of links leads nowhere, like a dangling one.
            return errno is ENOENT or ENOTDIR or ELOOP ? null
                : errno == EACCES ? throw new UnauthorizedAccessException($"Access to '{full}' is denied.")
                : throw new IOException($"Cannot open '{full}' (errno {errno}).");
        }
        string path = $"{FdFolder}/{fd}";
        string? real = new FileInfo(path).LinkTarget;
        if (real is null || !real.StartsWith('/'))
        {
            // An item deleted meanwhile reads as "path (deleted)"; anything else is not a place the jail can judge.
            close(fd);
            return null;
        }
        return new PinnedItem(fd, path, real);
    }

    /// <summary>
    /// A handle of its own on this same item, when the item is still where it was pinned (<see cref="RealPath"/>, read again
    /// from the kernel); null when it moved or was deleted, or where nothing is pinned.
    /// </summary>
    public PinnedItem? DuplicateIfStillAt()
    {
        if (_fd < 0 || new FileInfo(Path).LinkTarget != RealPath)
        {
            return null;
        }
        int fd = fcntl(_fd, F_DUPFD_CLOEXEC, 0);
        return fd < 0 ? null : new PinnedItem(fd, $"{FdFolder}/{fd}", RealPath);
    }

    /// <summary>Where there is no <c>/proc/self/fd</c>: the path itself, and where the caller found it leads.</summary>
    public static PinnedItem? OpenUnpinned(string full, string realPath) =>
        File.Exists(full) || Directory.Exists(full) ? new PinnedItem(-1, full, realPath) : null;

    /// <summary>Where an open file really is, on Linux; null elsewhere.</summary>
    public static string? RealPathOf(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (!IsSupported)
        {
            return null;
        }
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            string? real = new FileInfo($"{FdFolder}/{handle.DangerousGetHandle()}").LinkTarget;
            // Unreadable or deleted: no place inside the root either.
            return real is not null && real.StartsWith('/') ? real : "";
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>What a path names, its last link not followed, as the jail's walk needs to know it.</summary>
    internal enum Probe
    {
        /// <summary>Nothing is there (or a component on the way is not a folder).</summary>
        Missing,

        /// <summary>A symbolic link.</summary>
        Link,

        /// <summary>Anything else: a file, a folder, a FIFO…</summary>
        Present,
    }

    // Cleared for good when this libc has no statx or the kernel answers ENOSYS.
    private static bool s_probeSupported = OperatingSystem.IsLinux();

    /// <summary>
    /// One statx(2) of <paramref name="path"/> with AT_SYMLINK_NOFOLLOW: whether it is missing, a link, or something else.
    /// It stands for the three path-based reads (readlink, lstat, stat) of <see cref="FileSystemInfo.LinkTarget"/> and
    /// <see cref="FileSystemInfo.Exists"/>. Null where the kernel cannot say (not Linux, no statx, or any other error,
    /// such as EACCES): the caller then asks those the slow way, and fails as it always did.
    /// </summary>
    internal static Probe? TryProbe(string path)
    {
        if (!s_probeSupported)
        {
            return null;
        }
        const int AT_FDCWD = -100;
        const uint STATX_TYPE = 0x1;
        const int ENOSYS = 38;
        Span<byte> buffer = stackalloc byte[256];
        int result;
        try
        {
            result = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, ref MemoryMarshal.GetReference(buffer));
        }
        catch (EntryPointNotFoundException)
        {
            s_probeSupported = false;
            return null;
        }
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ENOSYS)
            {
                s_probeSupported = false;
            }
            return errno is ENOENT or ENOTDIR ? Probe.Missing : null;
        }
        int mode = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(buffer.Slice(28)) & 0xF000;
        return mode == 0xA000 ? Probe.Link : Probe.Present;
    }

    /// <summary>Turns <see cref="TryProbe"/> off or on again, as where the kernel has no statx (tests only).</summary>
    internal static void SetProbeSupportedForTests(bool supported) => s_probeSupported = supported && OperatingSystem.IsLinux();

    /// <summary>The item as STAT describes it, read from the handle (a path-based read would see the /proc link itself).</summary>
    /// <exception cref="FtpException"><see cref="FtpStatus.AccessDenied"/>: neither a file nor a folder.</exception>
    public RemoteEntry Describe(string normalized) => TryDescribe(normalized) ?? throw NotAFile(normalized);

    /// <summary>As <see cref="Describe"/>, but null for what is neither a file nor a folder (a FIFO, a socket, a device).</summary>
    public RemoteEntry? TryDescribe(string normalized)
    {
        if (_fd < 0)
        {
            FileSystemInfo info = Directory.Exists(Path) ? new DirectoryInfo(Path) : new FileInfo(Path);
            return info.Exists ? ToEntry(normalized, info) : throw StoreErrors.NotFound(normalized);
        }
        return EntryOf(normalized, Stat(_fd, "", AT_EMPTY_PATH));
    }

    /// <summary>
    /// The child <paramref name="name"/> of this folder itself, a link not followed, as LIST shows it: null for what is
    /// neither a file nor a folder, which STAT and DOWNLOAD refuse, so that LIST never offers what they will not serve;
    /// for a link, no entry and <c>IsLink</c> (the caller follows it through its own checks).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is there (any more).</exception>
    public (RemoteEntry? Entry, bool IsLink) DescribeChild(string name, string normalized)
    {
        if (_fd < 0)
        {
            string full = System.IO.Path.Join(Path, name);
            FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
            return info.LinkTarget is not null ? (null, true)
                : info.Exists ? (ToEntry(normalized, info), false)
                : throw new FileNotFoundException($"'{full}' does not exist.");
        }
        var stat = Stat(_fd, name, AT_SYMLINK_NOFOLLOW);
        return stat.Kind == StatKind.Link ? (null, true) : (EntryOf(normalized, stat), false);
    }

    /// <summary>An item described by a path-based read, where there is no handle to read it from.</summary>
    internal static RemoteEntry ToEntry(string normalized, FileSystemInfo info) => info is FileInfo file
        ? new RemoteEntry(normalized, ItemKind.File, file.Length, file.LastWriteTimeUtc)
        : new RemoteEntry(normalized, ItemKind.Directory, 0, info.LastWriteTimeUtc);

    private static RemoteEntry? EntryOf(string normalized, (StatKind Kind, long Length, DateTimeOffset LastWrite) stat) => stat.Kind switch
    {
        StatKind.Directory => new RemoteEntry(normalized, ItemKind.Directory, 0, stat.LastWrite),
        StatKind.File => new RemoteEntry(normalized, ItemKind.File, stat.Length, stat.LastWrite),
        _ => null,
    };

    /// <summary>Refuses anything but a regular file or a folder: opening a FIFO or a device could block or never end.</summary>
    public void CheckFileOrFolder(string normalized)
    {
        if (_fd >= 0 && Stat(_fd, "", AT_EMPTY_PATH).Kind == StatKind.Other)
        {
            throw NotAFile(normalized);
        }
    }

    private static FtpException NotAFile(string normalized) =>
        new(FtpStatus.AccessDenied, $"'{RemotePath.ToDisplay(normalized)}' is neither a file nor a folder.") { RemotePath = normalized };

    /// <summary>statx(2) on a descriptor or a path; its layout is the same on every Linux architecture (little-endian here).</summary>
    private static (StatKind Kind, long Length, DateTimeOffset LastWrite) Stat(int dirfd, string path, int flags)
    {
        const uint STATX_BASIC_STATS = 0x7FF;
        Span<byte> buffer = stackalloc byte[256];
        if (statx(dirfd, path, flags, STATX_BASIC_STATS, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno == ENOENT ? new FileNotFoundException($"'{path}' does not exist.") : new IOException($"statx failed (errno {errno}).");
        }
        int mode = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(buffer.Slice(28)) & 0xF000;
        long size = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(buffer.Slice(40));
        long seconds = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(buffer.Slice(112));
        uint nanoseconds = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer.Slice(120));
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100);
        return (mode switch { 0x4000 => StatKind.Directory, 0x8000 => StatKind.File, 0xA000 => StatKind.Link, _ => StatKind.Other }, size, time);
    }

    private enum StatKind
    {
        File,
        Directory,
        // Seen only where the link is not followed (AT_SYMLINK_NOFOLLOW).
        Link,
        Other,
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            close(_fd);
            _fd = -1;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);
}
