using System.Diagnostics;
using System.Globalization;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// A runspace's sessions end with it: a host that throws runspaces away (ForEach-Object -Parallel, a runspace pool)
/// must not hold the server's connections (a limited number per address) until the garbage collector or the server's
/// idle timeout ends them.
/// </summary>
public sealed class RunspaceTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Connect = "Connect-FtpSocket 127.0.0.1 -Port $args[0]";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public void DisposingTheRunspace_ClosesTheSessionsConnectedInIt()
    {
        var shell = new ModuleShell();
        try
        {
            var (output, errors) = shell.Run($"$a = {Connect}; $b = {Connect} -NoDefault; $null = Get-FtpItem; $null = Get-FtpItem -Session $b; $a.IsOpen; $b.IsOpen", server.Port);
            Assert.Empty(errors);
            Assert.Equal([true, true], output);
            Assert.True(WaitFor(() => OpenOnTheServer() >= 2), $"The server holds {OpenOnTheServer()} connections, not the two just made.");
        }
        finally
        {
            shell.Dispose();
        }

        Assert.True(WaitFor(() => OpenOnTheServer() == 0), $"The server still holds {OpenOnTheServer()} connections {Deadline.TotalSeconds} s after the runspace was disposed.");
    }

    [Fact]
    public void DisposingTheRunspace_LeavesOpenASessionConnectedInAnotherThatItMadeItsDefault()
    {
        using var owner = new ModuleShell();
        var session = owner.RunSingle<object>(Connect, server.Port);
        try
        {
            using (var borrower = new ModuleShell())
            {
                var (_, errors) = borrower.Run("Set-FtpDefaultSession $args[0]; $null = Get-FtpItem", session);
                Assert.Empty(errors);
            }

            var (output, errorsAfter) = owner.Run("$null = Get-FtpItem; $args[0].IsOpen", session);
            Assert.Empty(errorsAfter);
            Assert.Equal([true], output);
        }
        finally
        {
            owner.Run("Get-FtpSession | Disconnect-FtpSocket");
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Deadline"/> passes; whether it held.</summary>
    private static bool WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Deadline)
            {
                return false;
            }
            Thread.Sleep(50);
        }
        return true;
    }

    /// <summary>
    /// The server's accepted sockets that its process still holds open, as the kernel lists them: local port the
    /// server's, state ESTABLISHED (01) or CLOSE_WAIT (08, the client has gone and the server has not closed yet).
    /// </summary>
    private int OpenOnTheServer()
    {
        string port = server.Port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(fields => fields[1].EndsWith(":" + port, StringComparison.Ordinal) && fields[3] is "01" or "08");
    }
}
