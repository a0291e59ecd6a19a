using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>The server's settings, bound from the configuration section <see cref="SectionName"/> (and the <c>--root</c>, <c>--port</c>, <c>--bind</c> switches).</summary>
public sealed class FtpServerOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "PSSocketFtp";

    /// <summary>The folder that holds the served files, resolved against the current directory; created when missing.</summary>
    public string Root { get; set; } = "uploads";

    /// <summary>The TCP port to listen on; 0 lets the system choose one.</summary>
    public int Port { get; set; } = ProtocolConstants.DefaultPort;

    /// <summary>The local address to listen on.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>
    /// How old an abandoned partial upload (also a resumable one) and the record of a committed resumable upload may get
    /// before the periodic sweep deletes them; a resume or a retry later than this starts over.
    /// </summary>
    public TimeSpan PartialMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a new connection may take to send its handshake before it is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The users file (<c>--users</c>); when set, every connection must log in with AUTH. Without it access is anonymous,
    /// which the server allows on a loopback address only unless <see cref="AllowAnonymous"/> is set.
    /// </summary>
    public string? UsersFile { get; set; }

    /// <summary>Serve anonymously on an address other than loopback (<c>--allow-anonymous</c>).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>A PFX file with the server's certificate and private key (<c>--certificate</c>); when set, connections use TLS.</summary>
    public string? Certificate { get; set; }

    /// <summary>The password of the <see cref="Certificate"/> file (<c>--certificate-password</c>).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The users loaded from <see cref="UsersFile"/> at start; null for anonymous access.</summary>
    internal UserStore? Users { get; set; }

    /// <summary>The certificate loaded from <see cref="Certificate"/> at start; null without TLS.</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; set; }
}
