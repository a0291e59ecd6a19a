using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>How a session connects, retries and times out.</summary>
public sealed class FtpSessionOptions
{
    /// <summary>The server's host name or address.</summary>
    public string ComputerName { get; set; } = "localhost";

    /// <summary>The server's TCP port.</summary>
    public int Port { get; set; } = ProtocolConstants.DefaultPort;

    /// <summary>
    /// How many times in a row a failed connect, or an operation cut off by a transient fault, is tried again (0: never).
    /// A transfer's try after which the other side holds more bytes than before starts the count again; one operation
    /// takes at most 1,000 tries in all.
    /// </summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>How long one try to connect and complete the handshake may take (default 15 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an operation may go with no byte moving either way before it fails with
    /// <see cref="FtpTimeoutException"/> and is tried again (default 30 s).
    /// </summary>
    public TimeSpan NoProgressTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a connection may go unused before the client closes it; the next call opens a new one
    /// transparently (default 5 minutes).
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first retry's delay; later ones in a row without progress grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two tries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The user name to log in with (AUTH, sent after every connect and reconnect); null to connect anonymously. A
    /// <c>SecureString</c> is not taken: the password has to become bytes on the wire anyway, and a
    /// <c>PSCredential</c> or <c>NetworkCredential</c> gives its plain string readily.
    /// </summary>
    public string? UserName { get; set; }

    /// <summary>The password for <see cref="UserName"/>. It travels in clear unless <see cref="UseTls"/> is set.</summary>
    public string? Password { get; set; }

    /// <summary>Whether to wrap the connection in TLS; the server must have a certificate configured.</summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// With <see cref="UseTls"/>: trust exactly the server certificate with this SHA-1 or SHA-256 thumbprint (hex; spaces
    /// and colons ignored) instead of validating it against the system's trust store and the host name.
    /// </summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>With <see cref="UseTls"/>: accept any server certificate. Encrypts, but does not protect against an impostor.</summary>
    public bool SkipCertificateCheck { get; set; }

    /// <summary>The clock for delays and timeouts; tests inject a fake one so they never sleep.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal FtpSessionOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(ComputerName))
        {
            throw new ArgumentException("A computer name is required.", nameof(ComputerName));
        }
        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be between 1 and 65535.");
        }
        if (RetryCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryCount), RetryCount, "The retry count cannot be negative.");
        }
        if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(RetryDelay < TimeSpan.Zero ? nameof(RetryDelay) : nameof(MaxRetryDelay), "A retry delay cannot be negative.");
        }
        if (Password is not null && UserName is null)
        {
            throw new ArgumentException("A password was given without a user name.", nameof(Password));
        }
        if (CertificateThumbprint is not null && Tls.NormalizeThumbprint(CertificateThumbprint).Length is not (40 or 64))
        {
            throw new ArgumentException("The certificate thumbprint must be 40 (SHA-1) or 64 (SHA-256) hex digits.", nameof(CertificateThumbprint));
        }
        CheckPositive(ConnectTimeout, nameof(ConnectTimeout));
        CheckPositive(NoProgressTimeout, nameof(NoProgressTimeout));
        CheckPositive(IdleTimeout, nameof(IdleTimeout));
        return this;
    }

    private static void CheckPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "The timeout must be positive.");
        }
    }
}
