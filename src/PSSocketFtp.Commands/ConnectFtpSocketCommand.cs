using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Connects to a PSSocketFtp server (the old <c>connme</c>).</para>
/// <para type="description">Outputs the session and makes it the default session of the current runspace.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "FtpSocket")]
[OutputType(typeof(FtpSession))]
public sealed class ConnectFtpSocketCommand : FtpCmdlet
{
    // The parameters read and write the client's options, so their defaults are the client's and are written once.
    private readonly FtpSessionOptions _options = new();

    /// <summary>The server's host name or address.</summary>
    [Parameter(Position = 0, HelpMessage = "The server's host name or address (default: localhost).")]
    [ValidateNotNullOrEmpty]
    public string ComputerName
    {
        get => _options.ComputerName;
        set => _options.ComputerName = value;
    }

    /// <summary>The server's TCP port.</summary>
    [Parameter(HelpMessage = "The server's TCP port (default: 7021).")]
    [ValidateRange(1, 65535)]
    public int Port
    {
        get => _options.Port;
        set => _options.Port = value;
    }

    /// <summary>How many times a failed connect or an interrupted operation is tried again.</summary>
    [Parameter(HelpMessage = "How many times a failed connect, or an operation cut off by a network fault, is tried again (default: 3).")]
    [ValidateRange(0, 100)]
    public int RetryCount
    {
        get => _options.RetryCount;
        set => _options.RetryCount = value;
    }

    /// <summary>Seconds a connect may take, and an operation may go without progress.</summary>
    [Parameter(HelpMessage = "Seconds a connect may take, and an operation may go without any byte moving (default: 30).")]
    [ValidateRange(1, 86400)]
    public int TimeoutSec
    {
        get => (int)_options.NoProgressTimeout.TotalSeconds;
        set => _options.ConnectTimeout = _options.NoProgressTimeout = TimeSpan.FromSeconds(value);
    }

    private protected override string ConnectionErrorId => "ConnectFailed";

    /// <summary>Connects, and outputs the session.</summary>
    protected override void ProcessRecord() =>
        Try(ComputerName, () =>
        {
            var session = Call(token => FtpSession.ConnectAsync(_options, token));
            DefaultSession.Set(session);
            WriteObject(session);
        });
}
