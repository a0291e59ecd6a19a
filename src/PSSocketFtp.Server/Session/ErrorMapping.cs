using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>Turns what a request's handling threw into the status and message the client is sent.</summary>
internal static class ErrorMapping
{
    /// <summary>The status for an exception; <see cref="FtpStatus.InternalError"/> for anything unexpected.</summary>
    public static FtpStatus ToStatus(Exception e) => e switch
    {
        FtpException ftp => ftp.Status,
        FileNotFoundException or DirectoryNotFoundException => FtpStatus.NotFound,
        UnauthorizedAccessException => FtpStatus.AccessDenied,
        IOException io when DiskFull.Is(io) => FtpStatus.InsufficientStorage,
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
}
