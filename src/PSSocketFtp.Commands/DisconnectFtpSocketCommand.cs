using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Closes sessions (the old <c>byebye</c>).</para>
/// <para type="description">Closes the given sessions, or the default session. When the default is closed, the most recently
/// connected session that is still open becomes the default (not one connected with -NoDefault); with none, there is no default.</para>
/// </summary>
/// <example>
/// <para>Close the default session.</para>
/// <code>Disconnect-FtpSocket</code>
/// <para>The most recently connected session still open becomes the default, if there is one.</para>
/// </example>
/// <example>
/// <para>Close every session of this runspace.</para>
/// <code>Get-FtpSession | Disconnect-FtpSocket</code>
/// </example>
/// <seealso cref="ConnectFtpSocketCommand"/>
/// <seealso cref="GetFtpSessionCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommunications.Disconnect, "FtpSocket")]
public sealed class DisconnectFtpSocketCommand : FtpCmdlet
{
    /// <summary>The sessions to close; the default session when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, HelpMessage = "The sessions to close; the default session when omitted.")]
    [ValidateNotNull]
    public FtpSession[]? Session { get; set; }

    /// <summary>Says goodbye to the server and closes each session.</summary>
    protected override void ProcessRecord()
    {
        foreach (var session in Session ?? new[] { RequireDefaultSession() })
        {
            bool wasDefault = DefaultSession.IsDefault(session);
            try
            {
                Try(session, () => Call(token => session.DisconnectAsync(token)));
            }
            finally
            {
                // Whatever the goodbye did, the session must not be used again.
                session.Dispose();
                DefaultSession.Closed(session);
            }
            WriteVerbose($"Closed the session to {session}{(!wasDefault ? "" : DefaultSession.Get() is { } next ? $"; the default session is now the one to {next}" : "; there is no default session now")}.");
        }
    }
}
