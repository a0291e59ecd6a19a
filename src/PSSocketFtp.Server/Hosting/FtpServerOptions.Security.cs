namespace PSSocketFtp.Server;

/// <summary>The server's settings: users and TLS (see docs/security.md).</summary>
public sealed partial class FtpServerOptions
{
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

    /// <summary>
    /// How many password checks (PBKDF2, deliberately slow) may run at once; further logins wait for a turn, a few per
    /// check at most, and past that are answered <see cref="PSSocketFtp.Protocol.FtpStatus.ServerBusy"/>. Half the cores by
    /// default, so that guessers cannot take the whole machine.
    /// </summary>
    public int MaxConcurrentLogins { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How long a client address's failed logins are remembered (and slow down its next logins, on any connection) after its last failure.</summary>
    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Expect a PROXY protocol header (version 2, or version 1 text) at the start of every connection (<c>--proxy-protocol</c>),
    /// as HAProxy's <c>send-proxy-v2</c> sends it, and take the client's address from it. Connections from anywhere but
    /// <see cref="TrustedProxies"/>, or without a valid header, are closed without an answer (docs/scale-out.md).
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>
    /// The proxies whose PROXY headers are believed, with <see cref="ProxyProtocol"/> on (<c>--trusted-proxies</c>): IP
    /// addresses or networks (<c>10.0.0.0/24</c>), also several to an entry, separated by commas. Loopback only when empty.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    // Fields, not properties: what is loaded at start is no setting, and the configuration binder binds properties only.

    /// <summary>The users loaded from <see cref="UsersFile"/> at start; null for anonymous access.</summary>
    internal UserStore? Users;

    /// <summary>The certificate loaded from <see cref="Certificate"/> at start; null without TLS.</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate;

    /// <summary>The networks of <see cref="TrustedProxies"/>, parsed at start (loopback when none are given).</summary>
    internal IReadOnlyList<System.Net.IPNetwork> ProxyNetworks = [];
}
