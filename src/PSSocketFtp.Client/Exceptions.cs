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

/// <summary>
/// TLS could not be set up: the server's certificate was not trusted, or the server does not speak TLS. Not retried:
/// the next try would meet the same certificate.
/// </summary>
public sealed class FtpTlsException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FtpTlsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>True when the handshake failed because the client refused the server's certificate.</summary>
    public bool CertificateRejected { get; init; }
}
