namespace PSSocketFtp.Client;

/// <summary>The connection to the server could not be made, or broke, and retrying did not help.</summary>
public sealed class FtpConnectionException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FtpConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Whether trying again may succeed: false once a request may already have taken effect on the server.</summary>
    internal bool IsTransient { get; set; } = true;
}

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
