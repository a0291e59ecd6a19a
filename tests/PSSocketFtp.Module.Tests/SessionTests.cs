using System.Management.Automation;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// The sessions of a runspace and its default (issue #9 item 2): Get-FtpSession, Set-FtpDefaultSession,
/// Connect-FtpSocket -NoDefault, and which session is the default after Disconnect-FtpSocket.
/// </summary>
public sealed class SessionTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private const string Connect = "Connect-FtpSocket 127.0.0.1 -Port $args[0]";
    private readonly ModuleShell _shell = new();

    public void Dispose()
    {
        _shell.Run("Get-FtpSession | Disconnect-FtpSocket");
        _shell.Dispose();
    }

    [Fact]
    public void DisconnectFtpSocket_DefaultOfTwo_MakesTheOtherTheDefault()
    {
        var (output, errors) = _shell.Run($"$a = {Connect}; $b = {Connect}; Disconnect-FtpSocket; $a.IsDefault; $null = Get-FtpItem; $b.IsOpen", server.Port);

        Assert.Empty(errors);
        Assert.Equal([true, false], output);
    }

    [Fact]
    public void DisconnectFtpSocket_DefaultOfThree_MakesTheMostRecentStillOpenTheDefault()
    {
        var (output, errors) = _shell.Run(
            $"$a = {Connect}; $b = {Connect}; $c = {Connect}; $b | Disconnect-FtpSocket; Disconnect-FtpSocket; $a.IsDefault", server.Port);

        Assert.Empty(errors);
        Assert.Equal([true], output);
    }

    [Fact]
    public void GetFtpSession_DefaultDisposedWithoutDisconnect_MarksTheMostRecentStillOpenTheDefault()
    {
        var (output, errors) = _shell.Run(
            $"$a = {Connect}; $b = {Connect}; $b.Dispose(); $listed = Get-FtpSession; $listed.Id -eq $a.Id; $listed.IsDefault; $b.IsDefault",
            server.Port);

        Assert.Empty(errors);
        Assert.Equal([true, true, false], output);
    }

    [Fact]
    public void GetFtpItem_DefaultDisposedWithoutDisconnectNoOtherOpen_ThrowsNoSession()
    {
        _shell.Run($"$b = {Connect}; $b.Dispose()", server.Port);

        Errors.AssertError(_shell.RunFailing("Get-FtpItem"), "NoSession", ErrorCategory.InvalidOperation);
    }

    [Fact]
    public void DisconnectFtpSocket_InTheRunspaceOfADefaultSetElsewhere_MakesThatRunspacesOwnTheDefaultAgain()
    {
        using var other = new ModuleShell();
        var session = other.RunSingle<object>(Connect, server.Port);
        var (output, errors) = _shell.Run($"$a = {Connect}; Set-FtpDefaultSession $args[1]; $a.IsDefault", server.Port, session);
        other.Run("Get-FtpSession | Disconnect-FtpSocket");

        var (after, errorsAfter) = _shell.Run("$a.IsDefault; @(Get-FtpSession).Count");

        Assert.Empty(errors);
        Assert.Empty(errorsAfter);
        Assert.Equal([false], output);
        Assert.Equal([true, 1], after);
    }

    [Theory]
    [InlineData("$null = " + Connect + " -NoDefault")]
    [InlineData("$null = " + Connect + " -NoDefault; $null = " + Connect + "; Disconnect-FtpSocket")]
    public void GetFtpItem_OnlySessionsConnectedWithNoDefaultOpen_ThrowsNoSession(string script)
    {
        _shell.Run(script, server.Port);

        Errors.AssertError(_shell.RunFailing("Get-FtpItem"), "NoSession", ErrorCategory.InvalidOperation);
    }

    [Fact]
    public void ConnectFtpSocket_NoDefault_KeepsTheDefaultAndIsUsableWithSession()
    {
        var (output, errors) = _shell.Run(
            $"$a = {Connect}; $n = {Connect} -NoDefault; $a.IsDefault; $n.IsDefault; @(Get-FtpItem -Session $n).Count -ge 0", server.Port);

        Assert.Empty(errors);
        Assert.Equal([true, false, true], output);
    }

    [Fact]
    public void GetFtpSession_ThreeConnectedOneClosed_ListsTheOpenOnesOldestFirstWithTheDefaultMarked()
    {
        var (output, errors) = _shell.Run(
            $"$a = {Connect}; $b = {Connect}; $c = {Connect} -NoDefault; $b | Disconnect-FtpSocket; " +
            "$listed = Get-FtpSession; ($listed.Id -join ',') -eq (($a.Id, $c.Id) -join ','); $listed.IsDefault",
            server.Port);

        Assert.Empty(errors);
        Assert.Equal([true, true, false], output);
    }

    [Fact]
    public void GetFtpSession_NoSession_ListsNothing()
    {
        var (output, errors) = _shell.Run("Get-FtpSession");

        Assert.Empty(errors);
        Assert.Empty(output);
    }

    [Fact]
    public void GetFtpSession_OtherRunspace_ListsOnlyItsOwnSessions()
    {
        using var other = new ModuleShell();
        other.Run($"$null = {Connect}", server.Port);
        try
        {
            Assert.Empty(_shell.Run("Get-FtpSession").Output);
            Assert.Single(other.Run("Get-FtpSession").Output);
        }
        finally
        {
            other.Run("Get-FtpSession | Disconnect-FtpSocket");
        }
    }

    [Fact]
    public void GetFtpSession_Formatted_FitsEightyColumns()
    {
        _shell.Run($"$null = {Connect} -NoDefault; $null = {Connect}", server.Port);

        string text = _shell.RunSingle<string>("Get-FtpSession | Out-String -Width 80");

        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToList();
        Assert.Matches(@"^IsDefault\s+ComputerName\s+Port\s+UserName\s+UseTls\s+ConnectedAt$", lines[0]);
        Assert.Matches(@"^False\s+127\.0\.0\.1\s+" + server.Port + @"\s+False\s", lines[2]);
        Assert.Matches(@"^True\s+127\.0\.0\.1\s", lines[3]);
        Assert.All(lines, line => Assert.True(line.Length < 80, $"{line.Length} columns: '{line}'"));
    }

    [Fact]
    public void SetFtpDefaultSession_PipedFromGetFtpSession_MakesThatSessionTheDefault()
    {
        var (output, errors) = _shell.Run(
            $"$a = {Connect}; $n = {Connect} -NoDefault; Get-FtpSession | Where-Object Id -EQ $n.Id | Set-FtpDefaultSession; $n.IsDefault; $a.IsDefault",
            server.Port);

        Assert.Empty(errors);
        Assert.Equal([true, false], output);
    }

    [Fact]
    public void SetFtpDefaultSession_SessionOfAnotherRunspace_BecomesTheDefaultHere()
    {
        using var other = new ModuleShell();
        var session = other.RunSingle<object>(Connect, server.Port);
        try
        {
            var (output, errors) = _shell.Run("Set-FtpDefaultSession $args[0]; (Get-FtpSession).IsDefault; $null = Get-FtpItem", session);

            Assert.Empty(errors);
            Assert.Equal([true], output);
        }
        finally
        {
            other.Run("Get-FtpSession | Disconnect-FtpSocket");
        }
    }

    [Fact]
    public void SetFtpDefaultSession_ClosedSession_WritesSessionClosedAndKeepsTheDefault()
    {
        var (output, errors) = _shell.Run(
            $"$a = {Connect}; $b = {Connect} -NoDefault; $b | Disconnect-FtpSocket; Set-FtpDefaultSession $b; $a.IsDefault", server.Port);

        Errors.AssertError(Assert.Single(errors), "SessionClosed", ErrorCategory.InvalidOperation);
        Assert.Equal([true], output);
    }

    [Fact]
    public void SetFtpDefaultSession_NullSession_IsRefusedByBinding()
    {
        var error = _shell.RunFailing("Set-FtpDefaultSession -Session $null");

        Assert.StartsWith("ParameterArgumentValidationError", error.FullyQualifiedErrorId, StringComparison.Ordinal);
    }
}
