#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The cmdlets through the FaultProxy (cuts, stalls, flipped bytes) in front of the real server process: every
# transfer completes byte-exact, under its own name. PSSOCKETFTP_FAULT_SEED=N replays a run.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Seed = if ($env:PSSOCKETFTP_FAULT_SEED) { [int]$env:PSSOCKETFTP_FAULT_SEED } else { 20261127 }
    $script:Because = "fault seed $Seed (replay with PSSOCKETFTP_FAULT_SEED=$Seed)"
    $script:Server = Start-TestServer
    # Milder than the xunit suite: the cmdlets have no -RetryDelay, so the client's default backoff applies (200 ms
    # doubling up to 10 s, per operation even when each try made progress), and a few faults in a row on one file cost
    # tens of seconds.
    $script:Proxy = Start-TestProxy -TargetPort $Server.Port -Seed $Seed -ProxyArgs @(
        '--cut-rate', '0.06', '--stall-rate', '0.02', '--flip-rate', '0.06', '--max-stall-ms', '2500', '--max-offset', '4194304')
    Write-Host "Faults.Tests.ps1: $Because; proxy on port $($Proxy.Port) in front of the server on $($Server.Port)"
    $script:Local = Join-Path $TestDrive 'faults'
    New-Item -ItemType Directory -Path $Local | Out-Null
    $script:Sizes = 0, 1, 100, 4096, 5003, 65536, 262143, 262144, 262145, 300000, 524288, 524289, 700001, 1048576, 1048577, 1500000, 2097152, 12, 262, 33333

    function Get-VisibleServerEntries {
        Get-ChildItem -LiteralPath $Server.Root -Recurse -Force | ForEach-Object { [IO.Path]::GetRelativePath($Server.Root, $_.FullName).Replace('\', '/') } |
            Where-Object { $_ -ne '.psftp' -and -not $_.StartsWith('.psftp/') } | Sort-Object
    }
}

AfterAll {
    # Sessions outlive Remove-Module (the module's assembly stays loaded): leave none behind that points at a proxy
    # about to stop, or the next file's commands would retry against it.
    Get-FtpSession | Disconnect-FtpSocket -ErrorAction SilentlyContinue
    Get-Module PSSocketFtp | Remove-Module -Force
    $faults = Get-TestProxyFaults $Proxy
    Write-Host "Faults.Tests.ps1: $Because; injected $($faults.Total) faults: $($faults.Cut) cuts, $($faults.Stall) stalls, $($faults.Flip) flips"
    Stop-TestProxy $Proxy
    Stop-TestServer $Server
}

Describe 'Transfers through a connection that fails' {
    BeforeAll {
        # -NoProgressTimeoutSec is not there yet: -TimeoutSec 2 sets both the connect and the no-progress timeout.
        $script:Session = Connect-FtpSocket 127.0.0.1 -Port $Proxy.Port -RetryCount 30 -TimeoutSec 2
    }

    It 'Send-FtpFile uploads 20 files byte-exact, each under its own name, and warns of each retry' {
        $faultsBefore = (Get-TestProxyFaults $Proxy).Total
        $warnings = [Collections.Generic.List[object]]::new()
        $names = for ($i = 0; $i -lt 20; $i++) {
            $file = New-TestFile (Join-Path $Local ("up-{0:D2}.bin" -f $i)) $Sizes[$i] (1000 + $i)
            $result = Send-FtpFile -Path $file.FullName -ErrorAction Stop -WarningVariable +warnings -WarningAction SilentlyContinue
            $result.RemotePath | Should -Be "/$($file.Name)" -Because $Because
            $result.Renamed | Should -BeFalse -Because $Because
            (Get-FileHash -LiteralPath (Join-Path $Server.Root $file.Name)).Hash | Should -Be (Get-FileHash -LiteralPath $file.FullName).Hash -Because "$Because, file $($file.Name) of $($file.Length) bytes"
            $file.Name
        }
        Get-VisibleServerEntries | Should -Be ($names | Sort-Object) -Because "${Because}: no duplicate (name_1), no partial"
        # Not every fault costs a try (a cut between requests only means a new connection), but these many do.
        if ((Get-TestProxyFaults $Proxy).Total -ge $faultsBefore + 3) {
            $warnings | Should -Not -BeNullOrEmpty -Because $Because
        }
        $warnings | ForEach-Object { "$_" | Should -Match '^127\.0\.0\.1:\d+: try \d+ failed \(.+\); trying again in \d+\.\d s\.$' }
    }

    It 'Receive-FtpFile downloads 20 files byte-exact' {
        $into = New-Item -ItemType Directory (Join-Path $TestDrive 'received')
        $names = for ($i = 0; $i -lt 20; $i++) {
            $name = "down-{0:D2}.bin" -f $i
            $served = New-TestFile (Join-Path $Server.Root $name) $Sizes[19 - $i] (2000 + $i)
            Receive-FtpFile -Path "/$name" -Destination $into.FullName -ErrorAction Stop | Out-Null
            (Get-FileHash -LiteralPath (Join-Path $into $name)).Hash | Should -Be (Get-FileHash -LiteralPath $served.FullName).Hash -Because "$Because, file $name of $($served.Length) bytes"
            $name
        }
        @(Get-ChildItem -LiteralPath $into -Force).Name | Sort-Object | Should -Be ($names | Sort-Object) -Because "${Because}: no partial file left beside the downloads"
    }

    It 'went through a proxy that really injected faults' {
        (Get-TestProxyFaults $Proxy).Total | Should -BeGreaterThan 0 -Because $Because
    }
}
