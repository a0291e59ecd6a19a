<#
.SYNOPSIS
Times Sync-FtpFolder over a tree of many small files: the first run (everything uploaded) and a second run with
nothing changed (everything skipped), against a real server process on loopback. A measurement, not a test.

.EXAMPLE
./bench/sync/Measure-Sync.ps1 -Files 10000
#>
param(
    [int] $Files = 10000,
    [int] $PerFolder = 100,
    [int] $ThrottleLimit = 32
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../../tests/Pester/TestSupport.ps1')
Import-Module $ModuleManifest -Force
$server = Start-TestServer
$local = Join-Path ([IO.Path]::GetTempPath()) ("psftp-sync-bench-" + [guid]::NewGuid().ToString('N'))
try {
    for ($i = 0; $i -lt $Files; $i++) {
        $folder = [IO.Directory]::CreateDirectory((Join-Path $local ("d{0:D4}" -f [int][Math]::Floor($i / $PerFolder)))).FullName
        [IO.File]::WriteAllText((Join-Path $folder "f$i.txt"), "file $i " + ('x' * ($i % 1000)))
    }
    $null = Connect-FtpSocket 127.0.0.1 -Port $server.Port
    $first = Measure-Command { $script:one = Sync-FtpFolder $local /bench -ThrottleLimit $ThrottleLimit }
    $second = Measure-Command { $script:two = Sync-FtpFolder $local /bench -ThrottleLimit $ThrottleLimit }
    $hash = Measure-Command { $script:three = Sync-FtpFolder $local /bench -ThrottleLimit $ThrottleLimit -Compare Hash }
    [pscustomobject]@{
        Files             = $Files
        Folders           = [Math]::Ceiling($Files / $PerFolder)
        FirstSeconds      = [Math]::Round($first.TotalSeconds, 1)
        FirstUploaded     = @($one | Where-Object Action -EQ Upload).Count
        SecondSeconds     = [Math]::Round($second.TotalSeconds, 1)
        SecondSkipped     = @($two | Where-Object Action -EQ Skip).Count
        HashSecondSeconds = [Math]::Round($hash.TotalSeconds, 1)
        HashSkipped       = @($three | Where-Object Action -EQ Skip).Count
    }
} finally {
    Get-FtpSession | Disconnect-FtpSocket
    Stop-TestServer $server
    Remove-Item -LiteralPath $local -Recurse -Force -ErrorAction SilentlyContinue
}
