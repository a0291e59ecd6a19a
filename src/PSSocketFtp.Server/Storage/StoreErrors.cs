using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>The store's refusals that more than one of its parts makes, worded once.</summary>
internal static class StoreErrors
{
    internal static FtpException NotFound(string normalized) =>
        new(FtpStatus.NotFound, $"'{RemotePath.ToDisplay(normalized)}' does not exist.") { RemotePath = normalized };

    internal static FtpException NotADirectory(string normalized) =>
        new(FtpStatus.NotADirectory, $"'{RemotePath.ToDisplay(normalized)}' is a file, not a folder.") { RemotePath = normalized };

    internal static FtpException AlreadyExists(string normalized) =>
        new(FtpStatus.AlreadyExists, $"'{RemotePath.ToDisplay(normalized)}' already exists.") { RemotePath = normalized };
}
