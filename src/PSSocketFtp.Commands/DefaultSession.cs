using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// The session that cmdlets use when no -Session is given, one per runspace: two runspaces in one process (jobs,
/// a host's tabs) each have their own. Keyed weakly, so a closed runspace does not keep its session alive.
/// </summary>
internal static class DefaultSession
{
    private static readonly ConditionalWeakTable<Runspace, Holder> Sessions = new();

    /// <summary>The current runspace's default session, if any.</summary>
    public static FtpSession? Get() =>
        Runspace.DefaultRunspace is { } runspace && Sessions.TryGetValue(runspace, out var holder) ? holder.Session : null;

    /// <summary>Makes <paramref name="session"/> the current runspace's default.</summary>
    public static void Set(FtpSession session)
    {
        if (Runspace.DefaultRunspace is { } runspace)
        {
            Sessions.GetValue(runspace, _ => new Holder()).Session = session;
        }
    }

    /// <summary>Forgets <paramref name="session"/> if it is the current runspace's default.</summary>
    public static void Clear(FtpSession session)
    {
        if (Runspace.DefaultRunspace is { } runspace && Sessions.TryGetValue(runspace, out var holder) && ReferenceEquals(holder.Session, session))
        {
            holder.Session = null;
        }
    }

    private sealed class Holder
    {
        public FtpSession? Session { get; set; }
    }
}
