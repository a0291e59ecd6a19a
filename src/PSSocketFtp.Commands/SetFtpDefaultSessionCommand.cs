using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Makes a session the default session of the current runspace.</para>
/// <para type="description">Commands without -Session use it from then on, also a session connected with -NoDefault or in another
/// runspace; Get-FtpSession shows it as IsDefault. A closed session is a SessionClosed error and leaves the default as it was.</para>
/// </summary>
/// <example>
/// <para>Switch the default to a session connected with -NoDefault.</para>
/// <code>$other = Connect-FtpSocket localhost -NoDefault
/// Set-FtpDefaultSession $other
/// Get-FtpItem /</code>
/// </example>
/// <example>
/// <para>Go back to the oldest open session.</para>
/// <code>Get-FtpSession | Select-Object -First 1 | Set-FtpDefaultSession</code>
/// <para>Get-FtpSession lists the oldest session first.</para>
/// </example>
/// <seealso cref="GetFtpSessionCommand"/>
/// <seealso cref="ConnectFtpSocketCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.Set, "FtpDefaultSession")]
public sealed class SetFtpDefaultSessionCommand : FtpCmdlet
{
    /// <summary>The session to make the default, also from the pipeline (Get-FtpSession, Connect-FtpSocket).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The session to make the default (from Connect-FtpSocket or Get-FtpSession).")]
    [ValidateNotNull]
    public FtpSession? Session { get; set; }

    /// <summary>Makes the session the default; of several piped in, the last one stays the default.</summary>
    protected override void ProcessRecord()
    {
        var session = Session!;
        Try(session, () =>
        {
            if (!session.IsOpen)
            {
                throw new FtpCmdletException("SessionClosed", ErrorCategory.InvalidOperation, SessionClosedMessage(session));
            }
            DefaultSession.Set(session);
            WriteVerbose($"The session to {session} is now the default.");
        });
    }
}
