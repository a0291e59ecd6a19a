using System.Management.Automation;

namespace PSSocketFtp.Module.Tests;

/// <summary>The built module folder: what it exports, its version, and where its dependencies load.</summary>
public sealed class ModuleTests : IDisposable
{
    private readonly ModuleShell _shell = new();

    [Fact]
    public void ImportModule_BuiltFolder_ExportsExactlyTheCmdlets()
    {
        var (names, _) = _shell.Run("(Get-Command -Module PSSocketFtp).Name | Sort-Object");

        Assert.Equal(
            ["Connect-FtpSocket", "Disconnect-FtpSocket", "Get-FtpFileHash", "Get-FtpItem", "Get-FtpItemSize", "Get-FtpSession", "Move-FtpItem", "New-FtpItem", "Receive-FtpFile", "Remove-FtpItem", "Rename-FtpItem", "Send-FtpFile", "Set-FtpDefaultSession", "Start-FtpSocketServer", "Stop-FtpSocketServer", "Sync-FtpFolder", "Test-FtpItem"],
            names.Cast<string>());
    }

    [Fact]
    public void ImportModule_BuiltFolder_HasTheVersionOfTheBuild()
    {
        var version = _shell.RunSingle<Version>("(Get-Module PSSocketFtp).Version");

        // This assembly is built with the same Directory.Build.props version.
        var built = typeof(ModuleTests).Assembly.GetName().Version!;
        Assert.Equal(new Version(built.Major, built.Minor, built.Build), version);
    }

    [Fact]
    public void GetFtpItem_NoSession_ThrowsNoSession()
    {
        var error = _shell.RunFailing("Get-FtpItem");

        Errors.AssertError(error, "NoSession", ErrorCategory.InvalidOperation);
    }

    [Fact]
    public void DisconnectFtpSocket_NoSession_ThrowsNoSession()
    {
        var error = _shell.RunFailing("Disconnect-FtpSocket");

        Errors.AssertError(error, "NoSession", ErrorCategory.InvalidOperation);
    }

    public void Dispose() => _shell.Dispose();
}
