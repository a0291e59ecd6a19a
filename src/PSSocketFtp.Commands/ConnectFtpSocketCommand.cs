using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Connects to a PSSocketFtp server (the old <c>connme</c>).</para>
/// <para type="description">Outputs the session and makes it the default session of the current runspace, unless -NoDefault.
/// Get-FtpSession lists the sessions, Set-FtpDefaultSession picks another default.</para>
/// </summary>
/// <example>
/// <para>Connect to a server on this machine and list its root.</para>
/// <code>Connect-FtpSocket localhost
/// Get-FtpItem /</code>
/// <para>The session becomes the default: the commands that follow use it without -Session. Port 7021 is the server's default.</para>
/// </example>
/// <example>
/// <para>Keep a second session for an unattended job, with more retries and longer timeouts.</para>
/// <code>$backup = Connect-FtpSocket -ComputerName localhost -RetryCount 10 -TimeoutSec 60 -NoDefault
/// Send-FtpFile ./report.csv -Destination /backup/ -Session $backup
/// $backup | Disconnect-FtpSocket</code>
/// <para>-NoDefault leaves the default session as it was. For a server with users and a certificate add -Credential and -UseTls (or -CertificateThumbprint for a self-signed certificate).</para>
/// </example>
/// <seealso cref="GetFtpSessionCommand"/>
/// <seealso cref="DisconnectFtpSocketCommand"/>
/// <seealso cref="SetFtpDefaultSessionCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommunications.Connect, "FtpSocket")]
[OutputType(typeof(FtpSession))]
public sealed class ConnectFtpSocketCommand : FtpCmdlet
{
    // The parameters read and write the client's options, so their defaults are the client's and are written once.
    private readonly FtpSessionOptions _options = new();

    /// <summary>The server's host name or address.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The server's host name or address (default: localhost).")]
    [ValidateNotNullOrEmpty]
    public string ComputerName
    {
        get => _options.ComputerName;
        set => _options.ComputerName = value;
    }

    /// <summary>The server's TCP port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The server's TCP port (default: 7021).")]
    [ValidateRange(1, 65535)]
    public int Port
    {
        get => _options.Port;
        set => _options.Port = value;
    }

    /// <summary>How many times in a row a failed connect or an interrupted operation is tried again; a transfer's try that moved it forward starts the count again.</summary>
    [Parameter(HelpMessage = "How many times in a row a failed connect, or an operation cut off by a network fault, is tried again (default: 3); a transfer that moved forward starts the count again.")]
    [ValidateRange(0, 100)]
    public int RetryCount
    {
        get => _options.RetryCount;
        set => _options.RetryCount = value;
    }

    /// <summary>Sets both -ConnectTimeoutSec and -NoProgressTimeoutSec.</summary>
    [Parameter(HelpMessage = "Seconds for both -ConnectTimeoutSec and -NoProgressTimeoutSec.")]
    [ValidateRange(1, 86400)]
    public int TimeoutSec
    {
        get => (int)_options.NoProgressTimeout.TotalSeconds;
        set => _options.ConnectTimeout = _options.NoProgressTimeout = TimeSpan.FromSeconds(value);
    }

    /// <summary>Seconds one connect (with its handshake) may take before it is tried again.</summary>
    [Parameter(HelpMessage = "Seconds one connect, handshake included, may take before it is tried again (default: 15).")]
    [ValidateRange(1, 86400)]
    public int ConnectTimeoutSec
    {
        get => (int)_options.ConnectTimeout.TotalSeconds;
        set => _options.ConnectTimeout = TimeSpan.FromSeconds(value);
    }

    /// <summary>Seconds an operation may go without any byte moving before the connection counts as stalled and is retried.</summary>
    [Parameter(HelpMessage = "Seconds an operation may go without any byte moving before it counts as stalled and is retried (default: 30).")]
    [ValidateRange(1, 86400)]
    public int NoProgressTimeoutSec
    {
        get => (int)_options.NoProgressTimeout.TotalSeconds;
        set => _options.NoProgressTimeout = TimeSpan.FromSeconds(value);
    }

    /// <summary>Seconds a connection may stay unused before it is closed; the next command reconnects by itself.</summary>
    [Parameter(HelpMessage = "Seconds a connection may stay unused before it is closed; the next command reconnects by itself (default: 300).")]
    [ValidateRange(1, 86400)]
    public int IdleTimeoutSec
    {
        get => (int)_options.IdleTimeout.TotalSeconds;
        set => _options.IdleTimeout = TimeSpan.FromSeconds(value);
    }

    /// <summary>The user name and password to log in with; without it the session is anonymous.</summary>
    [Parameter(HelpMessage = "The user name and password to log in with (the server's users file). The password travels in clear unless -UseTls is set.")]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Protects the connection with TLS.</summary>
    [Parameter(HelpMessage = "Protect the connection with TLS; the server's certificate is validated against the system's trust store.")]
    public SwitchParameter UseTls
    {
        get => _options.UseTls;
        set => _options.UseTls = value;
    }

    /// <summary>Trusts exactly the server certificate with this thumbprint (implies -UseTls).</summary>
    [Parameter(HelpMessage = "Trust exactly the server certificate with this SHA-1 or SHA-256 thumbprint (implies -UseTls).")]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint
    {
        get => _options.CertificateThumbprint;
        set => _options.CertificateThumbprint = value;
    }

    /// <summary>Accepts any server certificate (implies -UseTls), as Invoke-WebRequest -SkipCertificateCheck does.</summary>
    [Parameter(HelpMessage = "Accept any server certificate (implies -UseTls). Encrypts, but does not protect against an impostor.")]
    public SwitchParameter SkipCertificateCheck
    {
        get => _options.SkipCertificateCheck;
        set => _options.SkipCertificateCheck = value;
    }

    /// <summary>Connects without making the session the default: commands use it only when given it by -Session.</summary>
    [Parameter(HelpMessage = "Connect without making the session the default: commands use it only with -Session, and it never becomes the default by itself (Set-FtpDefaultSession makes it so).")]
    public SwitchParameter NoDefault { get; set; }

    private protected override string ConnectionErrorId => "ConnectFailed";

    /// <summary>Connects, and outputs the session.</summary>
    protected override void ProcessRecord() =>
        Try(ComputerName, () =>
        {
            if (Credential is not null && Credential != PSCredential.Empty)
            {
                // The name as typed (a 'DOMAIN\user' stays whole); the password leaves its SecureString only here.
                _options.UserName = Credential.UserName;
                _options.Password = Credential.GetNetworkCredential().Password;
            }
            _options.UseTls |= _options.SkipCertificateCheck || _options.CertificateThumbprint is not null;
            WriteVerbose($"Connecting to {ComputerName}:{Port} {(UseTls ? "over TLS" : "without TLS")}{(_options.UserName is null ? ", anonymously" : $" as '{_options.UserName}'")}.");
            // The connect's retries are this command's warnings; the session's later ones belong to the commands that use it.
            var session = Call(token => FtpSession.ConnectAsync(_options, OnRetrying, token));
            session.Retrying -= OnRetrying;
            DefaultSession.Connected(session, aside: NoDefault);
            WriteVerbose($"Connected to {session} {(session.UseTls ? "over TLS" : "without TLS")}: protocol version {session.ProtocolVersion}, server '{session.ServerSoftware}'; {(NoDefault ? "not the default session (-NoDefault)" : "now the default session")}.");
            WriteObject(session);
        });
}
