using System.Runtime.InteropServices;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// rename(2) as RENAME needs it: one atomic step, that without <c>replace</c> never replaces what is at the target, even
/// an item put there after every check (Linux: renameat2 with RENAME_NOREPLACE). Where the kernel or the file system
/// cannot, <see cref="File.Move(string, string, bool)"/> and <see cref="Directory.Move"/> refuse an existing target, with
/// a short race between their check and the move.
/// </summary>
internal static class AtomicRename
{
    private const int AT_FDCWD = -100;
    private const uint RENAME_NOREPLACE = 1;
    private const int ENOENT = 2;
    private const int EXDEV = 18;
    private const int ENOTDIR = 20;
    private const int EISDIR = 21;
    private const int EINVAL = 22;
    private const int EEXIST = 17;
    private const int ENOSYS = 38;
    private const int ENOTEMPTY = 39;

    private static bool s_noRenameat2;

    /// <summary>Moves <paramref name="from"/> (a link as a link) to <paramref name="to"/>; statuses name <paramref name="source"/> or <paramref name="target"/>.</summary>
    public static void Move(string from, string to, bool replace, string source, string target)
    {
        if (OperatingSystem.IsLinux() && !s_noRenameat2)
        {
            int result;
            try
            {
                result = renameat2(AT_FDCWD, from, AT_FDCWD, to, replace ? 0 : RENAME_NOREPLACE);
            }
            catch (EntryPointNotFoundException)
            {
                s_noRenameat2 = true;
                result = -1;
            }
            int errno = result == 0 ? 0 : s_noRenameat2 ? ENOSYS : Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case 0:
                    return;
                case ENOSYS:
                case EINVAL when !replace:
                    // No RENAME_NOREPLACE here (an old kernel, a file system without it): the checked moves below.
                    break;
                default:
                    throw Refusal(errno, source, target);
            }
        }
        if (Directory.Exists(from) && new FileInfo(from).LinkTarget is null)
        {
            if (Directory.Exists(to) || File.Exists(to) || new FileInfo(to).LinkTarget is not null)
            {
                throw replace ? Refusal(ENOTEMPTY, source, target) : StoreErrors.AlreadyExists(target);
            }
            Directory.Move(from, to);
        }
        else
        {
            if (Directory.Exists(to))
            {
                throw Refusal(EISDIR, source, target);
            }
            try
            {
                File.Move(from, to, replace);
            }
            catch (IOException) when (!replace && (File.Exists(to) || new FileInfo(to).LinkTarget is not null))
            {
                throw StoreErrors.AlreadyExists(target);
            }
        }
    }

    /// <summary>
    /// One renameat2(2) of a file, nothing checked first: true when it moved; false, with the errno, when the kernel refused
    /// or cannot (not Linux, no renameat2: errno ENOSYS). An upload's commit calls it before the portable way, which
    /// costs an lstat of each side (File.Move) or an exclusive create and delete of the target (a claim without RENAME_NOREPLACE).
    /// </summary>
    public static bool TryMoveFile(string from, string to, bool replace, out int errno)
    {
        errno = ENOSYS;
        if (!OperatingSystem.IsLinux() || s_noRenameat2)
        {
            return false;
        }
        try
        {
            if (renameat2(AT_FDCWD, from, AT_FDCWD, to, replace ? 0 : RENAME_NOREPLACE) == 0)
            {
                errno = 0;
                return true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            s_noRenameat2 = true;
            return false;
        }
        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>Whether a failed <see cref="TryMoveFile"/> said the target exists (RENAME_NOREPLACE).</summary>
    public static bool IsExists(int errno) => errno == EEXIST;

    private static FtpException Refusal(int errno, string source, string target) => errno switch
    {
        EEXIST => StoreErrors.AlreadyExists(target),
        ENOENT => StoreErrors.NotFound(source),
        ENOTEMPTY => new(FtpStatus.DirectoryNotEmpty, $"'{RemotePath.ToDisplay(target)}' is a folder with content; nothing replaces it.") { RemotePath = target },
        EISDIR => new(FtpStatus.IsADirectory, $"'{RemotePath.ToDisplay(target)}' is a folder; a file never replaces a folder.") { RemotePath = target },
        ENOTDIR => new(FtpStatus.NotADirectory, $"'{RemotePath.ToDisplay(target)}' is a file; a folder never replaces a file.") { RemotePath = target },
        EINVAL => IntoItself(source, target),
        EXDEV => new(FtpStatus.InternalError, $"'{RemotePath.ToDisplay(source)}' and '{RemotePath.ToDisplay(target)}' are on different file systems of the server.") { RemotePath = source },
        _ => new(FtpStatus.InternalError, $"Moving '{RemotePath.ToDisplay(source)}' failed (errno {errno}).", new IOException($"renameat2 failed (errno {errno}).")) { RemotePath = source },
    };

    /// <summary>The refusal of moving a folder into itself or below itself.</summary>
    public static FtpException IntoItself(string source, string target) =>
        new(FtpStatus.InvalidPath, $"'{RemotePath.ToDisplay(source)}' cannot move into itself ('{RemotePath.ToDisplay(target)}').") { RemotePath = target };

    [DllImport("libc", SetLastError = true)]
    private static extern int renameat2(int olddirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, int newdirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath, uint flags);
}
