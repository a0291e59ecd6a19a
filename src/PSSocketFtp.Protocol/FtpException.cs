namespace PSSocketFtp.Protocol;

/// <summary>An error with a protocol status: sent by the server, or found in what the peer sent.</summary>
public class FtpException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FtpException(FtpStatus status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>What went wrong, as a protocol status code.</summary>
    public FtpStatus Status { get; }

    /// <summary>The remote path the error is about, when there is one.</summary>
    public string? RemotePath { get; init; }

    /// <summary>True when the status says the peer broke the protocol, after which the connection is unusable.</summary>
    public bool IsProtocolViolation => Status is FtpStatus.MalformedFrame or FtpStatus.FrameTooLarge or FtpStatus.UnsupportedVersion or FtpStatus.UnknownRequest;

    internal static FtpException Malformed(string message) => new(FtpStatus.MalformedFrame, message);
}
