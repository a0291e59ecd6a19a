using System.Diagnostics;

namespace PSSocketFtp.Commands;

/// <summary>
/// A server process that Start-FtpSocketServer started: where it listens, what it serves and how to log in. Its
/// ComputerName and Port bind by property name to Connect-FtpSocket; Stop-FtpSocketServer stops it.
/// </summary>
public sealed class FtpServerInstance
{
    // Servers not yet stopped, so that the end of the PowerShell process takes them along (see StopAllOnExit).
    private static readonly List<FtpServerInstance> Running = new();
    private static bool _hookedExit;
    private readonly Process _process;
    private readonly OutputTail _output;

    internal FtpServerInstance(Process process, OutputTail output, int port, string root, bool temporaryRoot, string? stateFolder, string? userName, string? certificateThumbprint)
    {
        _process = process;
        _output = output;
        Port = port;
        Root = root;
        TemporaryRoot = temporaryRoot;
        StateFolder = stateFolder;
        UserName = userName;
        CertificateThumbprint = certificateThumbprint;
        ProcessId = process.Id;
        lock (Running)
        {
            Running.Add(this);
            if (!_hookedExit)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllOnExit();
                _hookedExit = true;
            }
        }
    }

    /// <summary>The address the server listens on: loopback.</summary>
    public string ComputerName => "127.0.0.1";

    /// <summary>The TCP port the server listens on (the one the system chose when started with port 0).</summary>
    public int Port { get; }

    /// <summary>The full path of the folder the server serves.</summary>
    public string Root { get; }

    /// <summary>The server process's id.</summary>
    public int ProcessId { get; }

    /// <summary>The user the server lets in (-Credential), or null when it serves anonymously.</summary>
    public string? UserName { get; }

    /// <summary>The thumbprint of the server's certificate (-Certificate), for Connect-FtpSocket -CertificateThumbprint; null without TLS.</summary>
    public string? CertificateThumbprint { get; }

    /// <summary>Whether the server process has ended.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>The last lines the server wrote (its log), newest last.</summary>
    public string[] Output => _output.Lines();

    /// <summary>Whether <see cref="Root"/> is a temporary folder the server was given for lack of -Root, deleted when it stops.</summary>
    internal bool TemporaryRoot { get; }

    /// <summary>The private folder of the users file and certificate copy, deleted when the server stops; null when none was needed.</summary>
    internal string? StateFolder { get; }

    /// <inheritdoc />
    public override string ToString() => $"{ComputerName}:{Port}";

    /// <summary>
    /// Stops the server: closes its standard input, which it takes as the signal to stop gracefully, and kills it when
    /// it has not ended within <paramref name="timeout"/>; then deletes its private files and a temporary root.
    /// Returns whether it had to be killed. Stopping a stopped server only tidies up.
    /// </summary>
    internal bool Stop(TimeSpan timeout)
    {
        bool killed = false;
        lock (_process)
        {
            if (!HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The pipe is already broken: the process is on its way out.
                }
                if (!_process.WaitForExit((int)Math.Min(int.MaxValue, timeout.TotalMilliseconds)))
                {
                    Kill();
                    killed = true;
                }
            }
            // The parameterless wait also waits for the output to be read to its end.
            _process.WaitForExit();
        }
        lock (Running)
        {
            Running.Remove(this);
        }
        DeleteFolder(StateFolder);
        if (TemporaryRoot)
        {
            DeleteFolder(Root);
        }
        return killed;
    }

    private void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It ended in the meantime.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // It is ending already (Windows refuses to kill a process that is exiting).
        }
    }

    internal static void DeleteFolder(string? folder)
    {
        if (folder is null)
        {
            return;
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a file still open by someone else stays behind in the temporary folder.
        }
    }

    /// <summary>
    /// The PowerShell process is ending: kill the servers it started, at once (there is no time for a graceful stop).
    /// A server of a process that is killed instead notices that its standard input ended and stops by itself.
    /// </summary>
    private static void StopAllOnExit()
    {
        FtpServerInstance[] running;
        lock (Running)
        {
            running = Running.ToArray();
            Running.Clear();
        }
        foreach (var server in running)
        {
            server.Kill();
            DeleteFolder(server.StateFolder);
        }
    }
}
