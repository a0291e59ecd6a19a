namespace PSSocketFtp.Client;

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
