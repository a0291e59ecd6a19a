namespace PSSocketFtp.Client;

/// <summary>A connect took too long, or an operation made no progress for the session's timeout.</summary>
public sealed class FtpTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public FtpTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Whether trying again may succeed: false once a request may already have taken effect on the server.</summary>
    internal bool IsTransient { get; init; } = true;
}
