using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Stops servers that Start-FtpSocketServer started.</para>
/// <para type="description">Asks each server to stop (it lets transfers in flight end), kills it when it has not stopped within
/// -TimeoutSec, and deletes its private files and the temporary root it got for lack of -Root. Stopping a stopped server does nothing.</para>
/// </summary>
/// <example>
/// <para>Stop a server.</para>
/// <code>$srv = Start-FtpSocketServer
/// $srv | Stop-FtpSocketServer</code>
/// </example>
/// <example>
/// <para>Stop every server a script started, waiting at most five seconds for each.</para>
/// <code>$servers = 1..2 | ForEach-Object { Start-FtpSocketServer }
/// $servers | Stop-FtpSocketServer -TimeoutSec 5</code>
/// <para>A server that has not stopped by then is killed. Stopping a stopped server does nothing.</para>
/// </example>
/// <seealso cref="StartFtpSocketServerCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsLifecycle.Stop, "FtpSocketServer", SupportsShouldProcess = true)]
public sealed class StopFtpSocketServerCommand : PSCmdlet
{
    /// <summary>The servers to stop, as Start-FtpSocketServer output them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The servers to stop, as Start-FtpSocketServer output them.")]
    [ValidateNotNull]
    public FtpServerInstance[] Server { get; set; } = Array.Empty<FtpServerInstance>();

    /// <summary>Seconds a server may take to stop by itself before it is killed.</summary>
    [Parameter(HelpMessage = "Seconds a server may take to stop by itself before it is killed (default: 10).")]
    [ValidateRange(0, 3600)]
    public int TimeoutSec { get; set; } = 10;

    /// <summary>Stops each server.</summary>
    protected override void ProcessRecord()
    {
        foreach (var server in Server)
        {
            if (!ShouldProcess($"{server} (process {server.ProcessId})", "Stop the FTP socket server"))
            {
                continue;
            }
            bool running = !server.HasExited;
            bool killed = server.Stop(TimeSpan.FromSeconds(TimeoutSec));
            WriteVerbose(!running ? $"The server on {server} (process {server.ProcessId}) had stopped already."
                : killed ? $"The server on {server} (process {server.ProcessId}) did not stop within {TimeoutSec} s and was killed."
                : $"The server on {server} (process {server.ProcessId}) stopped.");
        }
    }
}
