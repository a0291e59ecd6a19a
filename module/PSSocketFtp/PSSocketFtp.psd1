# Module manifest of PSSocketFtp. The build (src/PSSocketFtp.Commands) writes it into artifacts/module/PSSocketFtp
# with the placeholders below (between @ signs) replaced by the one version number and the project's address, both in
# Directory.Build.props.
@{
    RootModule           = 'PSSocketFtp.Commands.dll'
    ModuleVersion        = '@ModuleVersion@'
    GUID                 = 'e778d655-ea43-4805-957b-fb75b192015e'
    Author               = 'PSSocketFtp contributors'
    CompanyName          = 'PSSocketFtp'
    Copyright            = '(c) PSSocketFtp contributors'
    Description          = 'Scripted file transfer over a small framed socket protocol, with retries and timeouts.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('PSSocketFtp.format.ps1xml')
    TypesToProcess       = @('PSSocketFtp.types.ps1xml')
    CmdletsToExport      = @(
        'Connect-FtpSocket'
        'Disconnect-FtpSocket'
        'Get-FtpSession'
        'Set-FtpDefaultSession'
        'Get-FtpItem'
        'Get-FtpItemSize'
        'Get-FtpFileHash'
        'Send-FtpFile'
        'Receive-FtpFile'
        'Remove-FtpItem'
        'Sync-FtpFolder'
        'New-FtpItem'
        'Test-FtpItem'
        'Rename-FtpItem'
        'Move-FtpItem'
        'Start-FtpSocketServer'
        'Stop-FtpSocketServer'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('FTP', 'FileTransfer', 'Socket', 'Transfer', 'Upload', 'Download', 'Pester', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = '@ProjectUri@'
            LicenseUri   = '@ProjectUri@/blob/main/LICENSE'
            ReleaseNotes = 'What changed in each version: @ProjectUri@/blob/main/CHANGELOG.md'
        }
    }
}
