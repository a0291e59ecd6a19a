using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// The sessions connected in each runspace and the one of them that cmdlets use when no -Session is given: two
/// runspaces in one process (jobs, a host's tabs) each have their own. Keyed weakly, so a closed runspace does not keep
/// its sessions alive; and when a runspace closes (or breaks), the sessions connected in it are closed with it, so that a
/// host that throws runspaces away (ForEach-Object -Parallel, a pool) does not hold the server's connections until the
/// garbage collector or the server's idle timeout ends them.
/// </summary>
internal static class DefaultSession
{
    private static readonly ConditionalWeakTable<Runspace, Holder> Sessions = new();

    /// <summary>The current runspace's default session, if any; never a closed one.</summary>
    public static FtpSession? Get() => Read<FtpSession>(holder =>
    {
        Forget(holder);
        return holder.Default;
    });

    /// <summary>Whether <paramref name="session"/> is the current runspace's default.</summary>
    public static bool IsDefault(FtpSession session) => ReferenceEquals(Get(), session);

    /// <summary>The current runspace's open sessions, the oldest first.</summary>
    public static IReadOnlyList<FtpSession> Open() => Read<IReadOnlyList<FtpSession>>(holder =>
    {
        Forget(holder);
        return holder.Connected.ToArray();
    }) ?? Array.Empty<FtpSession>();

    /// <summary>Notes a session just connected in the current runspace; it becomes the default unless <paramref name="aside"/>.</summary>
    public static void Connected(FtpSession session, bool aside) => Write(holder =>
    {
        holder.Opened.Add(session);
        holder.Connected.Add(session);
        if (aside)
        {
            holder.Aside.Add(session);
        }
        else
        {
            holder.Default = session;
        }
    });

    /// <summary>Makes <paramref name="session"/> the current runspace's default, noting it if it was connected elsewhere.</summary>
    public static void Set(FtpSession session) => Write(holder =>
    {
        if (!holder.Connected.Contains(session))
        {
            holder.Connected.Add(session);
        }
        holder.Aside.Remove(session);
        holder.Default = session;
    });

    /// <summary>
    /// Forgets a closed session. When it was the default, the most recently connected session that is still open
    /// becomes the default, so that a script that opened a second session for one step keeps its first; sessions
    /// connected with -NoDefault never become it by themselves.
    /// </summary>
    public static void Closed(FtpSession session) => Write(holder =>
    {
        holder.Opened.Remove(session);
        holder.Connected.Remove(session);
        holder.Aside.Remove(session);
        if (ReferenceEquals(holder.Default, session))
        {
            holder.Default = null;
        }
        Forget(holder);
    });

    /// <summary>
    /// Forgets the sessions closed without this runspace's Disconnect-FtpSocket ($s.Dispose(), or Disconnect-FtpSocket in
    /// the runspace that connected a session made the default here), so that a closed session never stays the default.
    /// </summary>
    private static void Forget(Holder holder)
    {
        holder.Opened.RemoveAll(session => !session.IsOpen);
        holder.Connected.RemoveAll(session => !session.IsOpen);
        holder.Aside.RemoveAll(session => !session.IsOpen);
        if (holder.Default is null || !holder.Default.IsOpen)
        {
            holder.Default = holder.Connected.LastOrDefault(other => !holder.Aside.Contains(other));
        }
    }

    private static T? Read<T>(Func<Holder, T?> read)
        where T : class
    {
        if (Runspace.DefaultRunspace is { } runspace && Sessions.TryGetValue(runspace, out var holder))
        {
            lock (holder)
            {
                return read(holder);
            }
        }
        return null;
    }

    private static void Write(Action<Holder> write)
    {
        if (Runspace.DefaultRunspace is { } runspace)
        {
            var holder = Sessions.GetValue(runspace, Watch);
            // One runspace runs one pipeline at a time, but a session's members can be read from any thread.
            lock (holder)
            {
                write(holder);
            }
        }
    }

    /// <summary>A new holder for <paramref name="runspace"/>, which closes the sessions connected in it when it closes.</summary>
    private static Holder Watch(Runspace runspace)
    {
        var holder = new Holder();
        // The runspace holds the handler and so the holder, never the other way round: the table's weak key stays weak.
        runspace.StateChanged += holder.OnStateChanged;
        return holder;
    }

    private sealed class Holder
    {
        /// <summary>
        /// The sessions Connect-FtpSocket opened in this runspace and not closed since: this runspace's to close when it
        /// closes. A session only made the default here (Set-FtpDefaultSession) belongs to the runspace that opened it.
        /// </summary>
        public List<FtpSession> Opened { get; } = new();

        /// <summary>The sessions connected or made the default in this runspace and not closed through it, oldest first.</summary>
        public List<FtpSession> Connected { get; } = new();

        /// <summary>Those connected with -NoDefault and never made the default since.</summary>
        public List<FtpSession> Aside { get; } = new();

        public FtpSession? Default { get; set; }

        /// <summary>Closes the sessions opened in the runspace once it is closed or broken; raised on the thread that closed it.</summary>
        public void OnStateChanged(object? sender, RunspaceStateEventArgs e)
        {
            if (e.RunspaceStateInfo.State is not (RunspaceState.Closed or RunspaceState.Broken))
            {
                return;
            }
            FtpSession[] opened;
            lock (this)
            {
                opened = Opened.ToArray();
                Opened.Clear();
                Connected.Clear();
                Aside.Clear();
                Default = null;
            }
            foreach (var session in opened)
            {
                // Dispose, not a goodbye: nothing may wait on the network while a runspace closes. It closes the
                // connections at once, and the server sees them end. Another runspace's commands that still use the
                // session get SessionClosed, as after $session.Dispose().
                try
                {
                    session.Dispose();
                }
                catch (Exception)
                {
                    // A runspace's closing must go on whatever one session does.
                }
            }
        }
    }
}
