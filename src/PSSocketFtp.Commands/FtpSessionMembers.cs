using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// Properties that PowerShell adds to every session (PSSocketFtp.types.ps1xml): the client library knows nothing of
/// runspaces, and a note property set on output would go stale once another session became the default.
/// </summary>
public static class FtpSessionMembers
{
    /// <summary>The IsDefault property: whether the session is the current runspace's default session, read when asked.</summary>
    public static bool IsDefault(PSObject instance) => instance?.BaseObject is FtpSession session && DefaultSession.IsDefault(session);
}
