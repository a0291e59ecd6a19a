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

    // Fields, not properties: what is loaded at start is no setting, and the configuration binder binds properties only.

    /// <summary>The users loaded from <see cref="UsersFile"/> at start; null for anonymous access.</summary>
    internal UserStore? Users;

    /// <summary>The certificate loaded from <see cref="Certificate"/> at start; null without TLS.</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate;
}
