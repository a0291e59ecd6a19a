using System.Runtime.InteropServices;

namespace PSSocketFtp.Server;

/// <summary>
/// mkdir(2) as MKDIR needs it: makes a folder, or says it was already there, in one step, so that of two clients
/// making one name at the same moment exactly one makes it and the other hears AlreadyExists.
/// <see cref="Directory.CreateDirectory(string)"/> succeeds on an existing folder, and a check before it would race.
/// Where mkdir(2) is not at hand (not Linux), the check and the make are two steps, with that short race.
/// </summary>
internal static class AtomicMakeFolder
{
    private const int EEXIST = 17;
    // As Directory.CreateDirectory: everything the process's umask allows.
    private const uint Mode = 0x1FF; // 0777

    /// <summary>Makes <paramref name="path"/> (its parent exists); false when something already has that name.</summary>
    public static bool TryCreate(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            if (mkdir(path, Mode) == 0)
            {
                return true;
            }
            int errno = Marshal.GetLastPInvokeError();
            return errno == EEXIST ? false : throw new IOException($"Could not make the folder: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        if (Directory.Exists(path) || File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            return false;
        }
        Directory.CreateDirectory(path);
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
