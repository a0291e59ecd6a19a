using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>Turns what a request's handling threw into the status and message the client is sent.</summary>
internal static class ErrorMapping
{
    private const int ENOSPC = 28;
    private const int ERROR_HANDLE_DISK_FULL = 0x27;
    private const int ERROR_DISK_FULL = 0x70;

    /// <summary>The status for an exception; <see cref="FtpStatus.InternalError"/> for anything unexpected.</summary>
    public static FtpStatus ToStatus(Exception e) => e switch
    {
        FtpException ftp => ftp.Status,
        FileNotFoundException or DirectoryNotFoundException => FtpStatus.NotFound,
        UnauthorizedAccessException => FtpStatus.AccessDenied,
        IOException io when IsDiskFull(io) => FtpStatus.InsufficientStorage,
        _ => FtpStatus.InternalError,
    };

    /// <summary>A message for the client. System messages are not passed on: they name the server's own folders.</summary>
    public static string ToMessage(Exception e, FtpStatus status, string? path)
    {
        if (e is FtpException)
        {
            return e.Message;
        }
        string item = path is null ? "the item" : $"'{RemotePath.ToDisplay(path)}'";
        return status switch
        {
            FtpStatus.NotFound => $"{item} does not exist.",
            FtpStatus.AccessDenied => $"The server may not access {item}.",
            FtpStatus.InsufficientStorage => "The server's disk is full.",
            _ => $"The server failed on {item}; its log has the details.",
        };
    }

    /// <summary>Whether an I/O error says the disk (or a quota) is full: errno on Unix, the Win32 code in the HRESULT on Windows.</summary>
    public static bool IsDiskFull(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL
        : e.HResult == ENOSPC;
}
