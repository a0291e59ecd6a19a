using System.Runtime.InteropServices;

namespace PSSocketFtp;

/// <summary>
/// Whether an I/O error says the disk is full: errno on Unix, the Win32 code in the HRESULT on Windows. Compiled into
/// each assembly that needs it (server, client, cmdlets), so that they agree on what a full disk is.
/// </summary>
internal static class DiskFull
{
    private const int ENOSPC = 28;
    private const int ERROR_HANDLE_DISK_FULL = 0x27;
    private const int ERROR_DISK_FULL = 0x70;

    public static bool Is(IOException e) => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
        ? (e.HResult & 0xFFFF) is ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL
        : e.HResult == ENOSPC;
}
