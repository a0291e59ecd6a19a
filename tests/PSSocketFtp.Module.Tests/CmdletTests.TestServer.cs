using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// Start-FtpSocketServer and Stop-FtpSocketServer: the server the module carries, started from the hosted PowerShell
/// and always stopped again in the same script, so that no test leaves one running.
/// </summary>
public sealed partial class CmdletTests
{
    [Fact]
    public void StartFtpSocketServer_Port0_ListensOnAFreePortPipesIntoConnectFtpSocketAndStops()
    {
        string root = Path.Join(_local, "served");
        string file = LocalFile("upload.bin", 5000);

        var (output, errors) = _shell.Run("""
            $srv = Start-FtpSocketServer -Root $args[0] -Port 0 -StartTimeoutSec 60
            try {
                $srv.ComputerName; $srv.Port; $srv.Root; $srv.ProcessId
                $session = $srv | Connect-FtpSocket -NoDefault
                (Send-FtpFile -LiteralPath $args[1] -Session $session).RemotePath
                $session | Disconnect-FtpSocket
            } finally {
                $srv | Stop-FtpSocketServer -TimeoutSec 10
            }
            $srv.HasExited
            """, root, file);

        Assert.Empty(errors);
        Assert.Equal(6, output.Count);
        Assert.Equal("127.0.0.1", output[0]);
        Assert.InRange((int)output[1], 1, 65535);
        Assert.Equal(root, output[2]);
        Assert.Equal("/upload.bin", output[4]);
        Assert.Equal(true, output[5]);
        Assert.True(ProcessGone((int)output[3]), "The server process is still there.");
        // The root was the caller's: it stays, with what was uploaded.
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Join(root, "upload.bin")));
    }

    [Fact]
    public void StopFtpSocketServer_ServerWithoutRoot_DeletesItsTemporaryRootAndStoppingAgainDoesNothing()
    {
        var (output, errors) = _shell.Run("""
            $srv = Start-FtpSocketServer
            try {
                $srv.Root
                Test-Path -LiteralPath $srv.Root -PathType Container
            } finally {
                $srv | Stop-FtpSocketServer
            }
            Test-Path -LiteralPath $srv.Root
            $srv | Stop-FtpSocketServer -ErrorAction Stop
            'stopped twice'
            """);

        Assert.Empty(errors);
        Assert.Equal(new object[] { true, false, "stopped twice" }, output.Skip(1));
        Assert.StartsWith(Path.GetTempPath(), (string)output[0], StringComparison.Ordinal);
    }

    [Fact]
    public void StopFtpSocketServer_WhatIf_LeavesTheServerServing()
    {
        var (output, errors) = _shell.Run("""
            $srv = Start-FtpSocketServer -Root $args[0]
            try {
                $srv | Stop-FtpSocketServer -WhatIf
                $srv.HasExited
                $session = $srv | Connect-FtpSocket -NoDefault
                $session.IsConnected
                $session | Disconnect-FtpSocket
            } finally {
                $srv | Stop-FtpSocketServer
            }
            """, Path.Join(_local, "served"));

        Assert.Empty(errors);
        Assert.Equal(new object[] { false, true }, output);
    }

    [Fact]
    public void StartFtpSocketServer_MissingServerPath_ThrowsServerNotFound()
    {
        var error = _shell.RunFailing("Start-FtpSocketServer -ServerPath $args[0]", Path.Join(_local, "none", "PSSocketFtp.Server.dll"));

        Errors.AssertError(error, "ServerNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void StartFtpSocketServer_PortTaken_ThrowsServerStartFailedWithTheServersWords()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var error = _shell.RunFailing("Start-FtpSocketServer -Root $args[0] -Port $args[1] -StartTimeoutSec 60", Path.Join(_local, "taken"), ((IPEndPoint)taken.LocalEndpoint).Port);

            Errors.AssertError(error, "ServerStartFailed", ErrorCategory.OpenError);
            Assert.Contains("could not start", error.Exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            taken.Stop();
        }
    }

    /// <summary>Whether the process <paramref name="id"/> has ended (Stop-FtpSocketServer waited for it, so at once).</summary>
    private static bool ProcessGone(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
