#Requires -Version 7.2
<#
.SYNOPSIS
    The server's memory, framework-dependent and native side by side: at start, at its peak during many sessions
    uploading at once, and holding many idle sessions (issue 11, "Many clients").
.DESCRIPTION
    For each server given, in turn: starts it on a fresh root, reads its RSS at rest (anonymous and file-backed pages
    apart: the file-backed ones are the mapped runtime and assemblies, shared and reclaimable), then -Sessions
    sessions each upload one 1 MiB file at once (ForEach-Object -Parallel, started together) and the peak RSS
    (VmHWM) is read, then the peak is reset and -Idle sessions connect and wait. Not part of CI.

    With -Sequence the server first serves what the side-by-side bench (bench/side-by-side) runs before its sessions,
    in the same order, on one session: a -BigMB file up and down (the bench's is 1 GiB; 256 MiB leaves the same state,
    docs/performance.md "Memory"), 1,000 files of 4 KiB up and down, two listings of 10,000 entries; RSS is read after
    each of them, and the sessions' peak only from there on. The bench's rows through its 10 ms proxy are left out.
.EXAMPLE
    dotnet pwsh bench/Measure-ServerMemory.ps1
.EXAMPLE
    dotnet pwsh bench/Measure-ServerMemory.ps1 -Server ./artifacts/server/linux-x64/pssocketftp-server -Sequence -Idle 0
.EXAMPLE
    dotnet pwsh bench/Measure-ServerMemory.ps1 -Server ./artifacts/server/linux-x64/pssocketftp-server -Sequence -Passes 3 -Idle 0
.EXAMPLE
    dotnet pwsh bench/Measure-ServerMemory.ps1 -Server ./artifacts/server/linux-x64/pssocketftp-server -Sessions 20 -Idle 100
#>
[CmdletBinding()]
param(
    # Server programs: a PSSocketFtp.Server.dll (run with dotnet) or a native server. Default: the Release build's dll
    # and artifacts/server/linux-x64/pssocketftp-server (./build.ps1 -Task NativeServer), those that exist.
    [string[]] $Server,
    [ValidateRange(1, 500)] [int] $Sessions = 100,
    [ValidateRange(0, 5000)] [int] $Idle = 1000,
    [string] $Module,
    # Replays the side-by-side bench's earlier rows before the sessions (see the description).
    [switch] $Sequence,
    [ValidateRange(1, 4096)] [int] $BigMB = 256,
    # Runs the sequence (with -Sequence) and the sessions this many times on the same server, a row each: whether
    # what they leave grows from one pass to the next, as the side-by-side bench's three runs do on one server.
    [ValidateRange(1, 20)] [int] $Passes = 1
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot
if (-not $Module) { $Module = Join-Path $repo 'artifacts/module/PSSocketFtp/PSSocketFtp.psd1' }
if (-not $Server) {
    $Server = @(
        (Join-Path $repo 'src/PSSocketFtp.Server/bin/Release/net10.0/PSSocketFtp.Server.dll')
        (Join-Path $repo 'artifacts/server/linux-x64/pssocketftp-server')
    ) | Where-Object { Test-Path -LiteralPath $_ }
    if (-not $Server) { throw 'No server built: dotnet build -c Release, or ./build.ps1 -Task NativeServer.' }
}
Import-Module $Module

$work = Join-Path ([IO.Path]::GetTempPath()) ('psftp-memory-' + [guid]::NewGuid().ToString('N'))
function New-RandomFiles([string] $Folder, [int] $Count, [int] $Size) {
    $null = New-Item -ItemType Directory $Folder
    $bytes = [byte[]]::new($Size)
    for ($i = 0; $i -lt $Count; $i++) {
        [Random]::Shared.NextBytes($bytes)
        [IO.File]::WriteAllBytes((Join-Path $Folder ('f{0:D6}.bin' -f $i)), $bytes)
    }
}
$source = Join-Path $work 'source'
New-RandomFiles $source $Sessions 1MB

$smallFiles = 1000
$listCount = 10000
if ($Sequence) {
    $big = Join-Path $work 'big.bin'
    $bytes = [byte[]]::new(1MB)
    $stream = [IO.File]::Create($big)
    try { for ($i = 0; $i -lt $BigMB; $i++) { [Random]::Shared.NextBytes($bytes); $stream.Write($bytes, 0, $bytes.Length) } } finally { $stream.Dispose() }
    $small = Join-Path $work 'small'
    New-RandomFiles $small $smallFiles 4KB
}

function Get-Memory([int] $ProcessId) {
    $status = Get-Content -LiteralPath "/proc/$ProcessId/status"
    $kib = @{}
    foreach ($line in $status) { if ($line -match '^(VmHWM|VmRSS|RssAnon|RssFile):\s+(\d+) kB') { $kib[$Matches[1]] = [int]$Matches[2] } }
    [pscustomobject]@{ Peak = $kib.VmHWM / 1KB; Rss = $kib.VmRSS / 1KB; Anonymous = $kib.RssAnon / 1KB; File = $kib.RssFile / 1KB }
}

function New-SequenceRoot([string] $Root) {
    # What the bench's server root holds for its rows: the small files to download and the folder to list.
    $null = New-Item -ItemType Directory (Join-Path $Root 'sup')
    Copy-Item -LiteralPath $small -Destination (Join-Path $Root 'sdown') -Recurse
    $list = Join-Path $Root 'list'
    $null = New-Item -ItemType Directory $list
    $empty = [byte[]]::new(0)
    for ($i = 0; $i -lt $listCount; $i++) { [IO.File]::WriteAllBytes((Join-Path $list ('entry{0:D7}.txt' -f $i)), $empty) }
}

function Invoke-Sequence([int] $Port, [int] $ProcessId) {
    # The bench's rows before its sessions, in its order, on one session; the server's RSS after each.
    $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $Port -NoDefault
    $back = Join-Path $work 'back'
    $rows = [ordered]@{
        "$BigMB MiB upload"            = { $null = Send-FtpFile -LiteralPath $big -Destination /big.bin -Conflict Overwrite -Session $session }
        "$BigMB MiB download"          = { $null = Receive-FtpFile /big.bin -Destination (Join-Path $work 'big-back.bin') -Force -Session $session }
        "$smallFiles x 4 KiB upload"   = { Get-ChildItem -LiteralPath $small -File | Send-FtpFile -Destination /sup/ -Session $session | Out-Null }
        "$smallFiles x 4 KiB download" = { $null = New-Item -ItemType Directory -Force $back; Get-FtpItem /sdown -Session $session | Receive-FtpFile -Destination $back -Session $session | Out-Null }
        "2 listings of $listCount"     = { foreach ($k in 1..2) { if (@(Get-FtpItem /list -Session $session).Count -ne $listCount) { throw "the listing did not hold $listCount entries" } } }
    }
    try {
        foreach ($row in $rows.GetEnumerator()) {
            & $row.Value
            $memory = Get-Memory $ProcessId
            [pscustomobject]@{ Row = $row.Key; 'RSS MiB' = [math]::Round($memory.Rss, 1); 'anon/file MiB' = '{0:N1} / {1:N1}' -f $memory.Anonymous, $memory.File }
        }
    } finally {
        Disconnect-FtpSocket -Session $session
        Remove-Item -LiteralPath (Join-Path $work 'big-back.bin'), $back -Recurse -Force -ErrorAction SilentlyContinue
    }
}

try {
    $rows = foreach ($program in $Server) {
        $root = Join-Path $work ('root-' + [guid]::NewGuid().ToString('N'))
        $log = Join-Path $work 'server.out'
        if ($Sequence) { New-SequenceRoot $root }
        $first = if ($program -like '*.dll') { 'dotnet', @($program) } else { $program, @() }
        $limits = '--PSSocketFtp:MaxConnections', ($Idle + $Sessions + 10), '--PSSocketFtp:MaxConnectionsPerAddress', ($Idle + $Sessions + 10)
        $process = Start-Process $first[0] -ArgumentList ($first[1] + @('--root', $root, '--port', '0', '--print-port') + $limits) -RedirectStandardOutput $log -RedirectStandardError (Join-Path $work 'server.err') -PassThru
        try {
            $port = 0
            for ($k = 0; $k -lt 300 -and -not $port; $k++) {
                Start-Sleep -Milliseconds 100
                $m = Select-String -LiteralPath $log -Pattern '^PSSOCKETFTP_PORT=(\d+)$' -ErrorAction SilentlyContinue
                if ($m) { $port = [int]$m.Matches[0].Groups[1].Value }
            }
            if (-not $port) { throw "$program did not start: $(Get-Content -Raw -LiteralPath $log)" }
            Start-Sleep -Seconds 1
            $atStart = Get-Memory $process.Id
            for ($pass = 1; $pass -le $Passes; $pass++) {
                $before = $null
                if ($Sequence) {
                    Invoke-Sequence $port $process.Id | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
                    # As the bench's own steps between the rows take: long enough for the server to see it is quiet (IdleMemoryTrimmer).
                    Start-Sleep -Seconds 3
                    $before = Get-Memory $process.Id
                }
                [IO.File]::WriteAllText("/proc/$($process.Id)/clear_refs", '5')   # resets VmHWM: the peak of the sessions alone

                $files = @(Get-ChildItem -LiteralPath $source -File | ForEach-Object FullName)
                $barrier = [Threading.Barrier]::new($files.Count)
                $null = $files | ForEach-Object -ThrottleLimit $files.Count -Parallel {
                    Import-Module $using:Module
                    $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $using:port -NoDefault
                    if (-not ($using:barrier).SignalAndWait(120000)) { throw 'the sessions did not all connect within 120 s' }
                    $null = Send-FtpFile -LiteralPath $_ -Destination / -Session $session
                    Disconnect-FtpSocket -Session $session
                }
                $busy = Get-Memory $process.Id

                $idleMemory = $null
                if ($Idle -and $pass -eq $Passes) {
                    [IO.File]::WriteAllText("/proc/$($process.Id)/clear_refs", '5')   # resets VmHWM
                    $held = [Collections.Generic.List[object]]::new()
                    try {
                        for ($k = 0; $k -lt $Idle; $k++) { $held.Add((Connect-FtpSocket -ComputerName 127.0.0.1 -Port $port -NoDefault)) }
                        Start-Sleep -Seconds 1
                        $idleMemory = Get-Memory $process.Id
                    } finally {
                        $held | ForEach-Object { Disconnect-FtpSocket -Session $_ }
                    }
                }
                [pscustomobject]@{
                    Server                     = if ($program -like '*.dll') { 'framework-dependent' } else { 'native' }
                    Pass                       = $pass
                    'at start MiB'             = [math]::Round($atStart.Rss, 1)
                    'anon/file MiB'            = '{0:N1} / {1:N1}' -f $atStart.Anonymous, $atStart.File
                    'before sessions MiB'      = if ($before) { '{0:N1} ({1:N1} / {2:N1})' -f $before.Rss, $before.Anonymous, $before.File }
                    "peak, $Sessions sessions" = [math]::Round($busy.Peak, 1)
                    "$Idle idle MiB"           = if ($idleMemory) { [math]::Round($idleMemory.Rss, 1) }
                    'idle anon/file MiB'       = if ($idleMemory) { '{0:N1} / {1:N1}' -f $idleMemory.Anonymous, $idleMemory.File }
                }
            }
        } finally {
            if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit() }
        }
    }
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
} finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
