using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Lists the open sessions of the current runspace, the default one marked.</para>
/// <para type="description">Outputs the sessions that Connect-FtpSocket opened in this runspace and that are still open, the oldest
/// first; IsDefault is true for the one commands use without -Session. A session closed otherwise ($s.Dispose(), or
/// Disconnect-FtpSocket in another runspace) is left out and stops being the default, as if Disconnect-FtpSocket had closed
/// it here. Pipe them into Set-FtpDefaultSession or Disconnect-FtpSocket.</para>
/// </summary>
/// <example>
/// <para>List the open sessions.</para>
/// <code>Get-FtpSession</code>
/// <para>IsDefault marks the session that commands use without -Session.</para>
/// </example>
/// <example>
/// <para>Close every session but the default.</para>
/// <code>Get-FtpSession | Where-Object { -not $_.IsDefault } | Disconnect-FtpSocket</code>
/// </example>
/// <seealso cref="ConnectFtpSocketCommand"/>
/// <seealso cref="SetFtpDefaultSessionCommand"/>
/// <seealso cref="DisconnectFtpSocketCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.Get, "FtpSession")]
[OutputType(typeof(FtpSession))]
public sealed class GetFtpSessionCommand : FtpCmdlet
{
    /// <summary>Outputs each open session.</summary>
    protected override void ProcessRecord() => WriteObject(DefaultSession.Open(), enumerateCollection: true);
}
