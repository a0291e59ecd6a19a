#Requires -Version 7.2
<#
.SYNOPSIS
    Throughput of the server on its local folder against the S3 store on Ceph, with one server and with three behind
    HAProxy (issue 14, "Figures"): a big file and many small files, up and down.
.DESCRIPTION
    Starts, once: a server on a local folder; a server on the S3 store; three servers on one S3 prefix behind HAProxy
    (deploy/haproxy/start-haproxy.sh, its own state folder and port). Ceph must be up (deploy/ceph/start-ceph.sh; its
    s3.env names the endpoint, bucket and credentials file). Then, -Runs times with the setups taking turns, each row
    moves the same bytes: one big file of -SizeMB (split into one file a session when a row has several sessions) and
    -SmallFiles files of 4 KiB, uploaded with Send-FtpFile and downloaded with Receive-FtpFile, the sessions of a row
    in ForEach-Object -Parallel. Every copy is compared with its source. Before each big transfer a file of the same
    size is written and deleted (this VM hands freed memory back to its host). Medians; not part of CI. Needs root
    (HAProxy) and a built server and module.
.EXAMPLE
    sudo deploy/ceph/start-ceph.sh; dotnet pwsh bench/scale-out/Measure-ScaleOut.ps1
.EXAMPLE
    dotnet pwsh bench/scale-out/Measure-ScaleOut.ps1 -SizeMB 256 -SmallFiles 300 -Runs 1
#>
[CmdletBinding()]
param(
    [ValidateRange(3, 65536)] [int] $SizeMB = 1024,
    [ValidateRange(3, 100000)] [int] $SmallFiles = 1000,
    [ValidateRange(1, 20)] [int] $Runs = 3,
    # A server program: the native server (default, when built) or a PSSocketFtp.Server.dll, run with dotnet.
    [string] $Server,
    [string] $Module,
    [string] $CephState = $(if ($env:PSSOCKETFTP_CEPH_DIR) { $env:PSSOCKETFTP_CEPH_DIR } else { '/var/tmp/pssocketftp-ceph' })
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
if (-not $Module) { $Module = Join-Path $repo 'artifacts/module/PSSocketFtp/PSSocketFtp.psd1' }
if (-not $Server) {
    $Server = @((Join-Path $repo 'artifacts/server/linux-x64/pssocketftp-server'), (Join-Path $repo 'src/PSSocketFtp.Server/bin/Release/net10.0/PSSocketFtp.Server.dll')) |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if (-not $Server) { throw 'No server built: ./build.ps1 -Task NativeServer, or dotnet build -c Release.' }
}
$envFile = Join-Path $CephState 's3.env'
if (-not (Test-Path -LiteralPath $envFile)) { throw "No ${envFile}: start Ceph first (sudo deploy/ceph/start-ceph.sh)." }
$s3 = @{}
foreach ($line in Get-Content -LiteralPath $envFile) {
    if ($line -match '^\s*(?:export\s+)?(PSSOCKETFTP_S3_\w+)=(.*)$') { $s3[$Matches[1]] = $Matches[2].Trim().Trim('"', "'") }
}
Import-Module $Module

$work = Join-Path ([IO.Path]::GetTempPath()) ('psftp-scaleout-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$prefix = 'bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
$servers = [Collections.Generic.List[object]]::new()
$haproxyState = Join-Path $work 'haproxy'

function Get-FreePort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-Server([string[]] $Store) {
    $log = Join-Path $work "server-$($servers.Count).out"
    $program, $first = if ($Server -like '*.dll') { 'dotnet', @($Server) } else { $Server, @() }
    $process = Start-Process $program -ArgumentList ($first + @('--port', '0', '--print-port') + $Store) -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
    $servers.Add($process)
    for ($k = 0; $k -lt 300; $k++) {
        $m = Select-String -LiteralPath $log -Pattern '^PSSOCKETFTP_PORT=(\d+)$' -ErrorAction SilentlyContinue
        if ($m) { return [int]$m.Matches[0].Groups[1].Value }
        if ($process.HasExited) { break }
        Start-Sleep -Milliseconds 100
    }
    throw "The server did not start: $(Get-Content -Raw -LiteralPath "$log.err" -ErrorAction SilentlyContinue)"
}

function Invoke-Prefault([long] $Bytes) {
    $path = Join-Path $work '.prefault'
    $buffer = [byte[]]::new(4MB)
    $stream = [IO.File]::Create($path)
    try { for ($n = 0L; $n -lt $Bytes; $n += $buffer.Length) { $stream.Write($buffer, 0, [int][Math]::Min($buffer.Length, $Bytes - $n)) } } finally { $stream.Dispose() }
    Remove-Item -LiteralPath $path -Force
}

function New-RandomFile([string] $Path, [long] $Bytes) {
    $buffer = [byte[]]::new([int][Math]::Min(4MB, $Bytes))
    $stream = [IO.File]::Create($Path)
    try {
        for ($n = 0L; $n -lt $Bytes; $n += $buffer.Length) {
            [Security.Cryptography.RandomNumberGenerator]::Fill($buffer)
            $stream.Write($buffer, 0, [int][Math]::Min($buffer.Length, $Bytes - $n))
        }
    } finally { $stream.Dispose() }
}

function Assert-SameFiles([string] $Expected, [string] $Actual) {
    foreach ($file in Get-ChildItem -LiteralPath $Expected -File -Recurse) {
        $copy = Join-Path $Actual ([IO.Path]::GetRelativePath($Expected, $file.FullName))
        if (-not (Test-Path -LiteralPath $copy)) { throw "missing: $copy" }
        & cmp -s -- $file.FullName $copy
        if ($LASTEXITCODE -ne 0) { throw "differs: $copy" }
    }
}

# One timed step: each session (a runspace) connects to its endpoint and runs $Body on its own share.
function Measure-Step([object[]] $Shares, [string] $Body) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $Shares | ForEach-Object -ThrottleLimit $Shares.Count -Parallel {
        Import-Module $using:Module
        $share = $_
        $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $share.Port -NoDefault
        try { & ([scriptblock]::Create($using:Body)) $share $session } finally { Disconnect-FtpSocket -Session $session }
    }
    $clock.Elapsed.TotalSeconds
}

try {
    $null = New-Item -ItemType Directory -Path $work
    # The sources: the big file whole and in thirds, the small files in three folders (one a session).
    $source = New-Item -ItemType Directory (Join-Path $work 'source')
    $big = @{ 1 = @(Join-Path $source 'whole.bin'); 3 = @(0..2 | ForEach-Object { Join-Path $source "third$_.bin" }) }
    New-RandomFile $big[1][0] ([long]$SizeMB * 1MB)
    foreach ($part in $big[3]) { New-RandomFile $part ([long]$SizeMB * 1MB / 3) }
    $small = @{ 1 = @(Join-Path $source 'small'); 3 = @(0..2 | ForEach-Object { Join-Path $source "small$_" }) }
    $chunk = [byte[]]::new(4KB)
    foreach ($folder in $small[1] + $small[3]) { $null = New-Item -ItemType Directory $folder }
    for ($i = 0; $i -lt $SmallFiles; $i++) {
        [Security.Cryptography.RandomNumberGenerator]::Fill($chunk)
        [IO.File]::WriteAllBytes((Join-Path $small[1][0] "f$i.bin"), $chunk)
        [IO.File]::WriteAllBytes((Join-Path $small[3][$i % 3] "f$i.bin"), $chunk)
    }

    $s3Switches = @('--s3-endpoint', $s3.PSSOCKETFTP_S3_ENDPOINT, '--s3-bucket', $s3.PSSOCKETFTP_S3_BUCKET, '--s3-credentials', $s3.PSSOCKETFTP_S3_CREDENTIALS)
    $localPort = Start-Server @('--root', (Join-Path $work 'root'))
    $cephPort = Start-Server ($s3Switches + @('--s3-prefix', "$prefix-one", '--root', (Join-Path $work 'root1')))
    $backends = foreach ($k in 0..2) { Start-Server ($s3Switches + @('--s3-prefix', "$prefix-three", '--root', (Join-Path $work "root3$k"))) }
    $front = Get-FreePort
    $env:PSSOCKETFTP_HAPROXY_STATS_PORT = '0'
    & (Join-Path $repo 'deploy/haproxy/start-haproxy.sh') --state $haproxyState $front @backends | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'HAProxy did not start (root needed).' }

    $setups = @(
        [pscustomobject]@{ Name = 'local folder, 1 server, 1 session'; Ports = @($localPort) }
        [pscustomobject]@{ Name = 'Ceph, 1 server, 1 session'; Ports = @($cephPort) }
        [pscustomobject]@{ Name = 'Ceph, 1 server, 3 sessions'; Ports = @($cephPort) * 3 }
        [pscustomobject]@{ Name = 'Ceph, 3 servers behind HAProxy, 3 sessions'; Ports = @($front) * 3 }
    )
    $results = @{}
    for ($run = 0; $run -lt $Runs; $run++) {
        for ($k = 0; $k -lt $setups.Count; $k++) {
            $setup = $setups[($k + $run) % $setups.Count]
            $n = $setup.Ports.Count
            $remote = "/r$run-$(($k + $run) % $setups.Count)"
            $down = New-Item -ItemType Directory (Join-Path $work "down-$run-$k")
            $shares = for ($i = 0; $i -lt $n; $i++) {
                [pscustomobject]@{ Port = $setup.Ports[$i]; Big = $big[$n][$i]; Small = $small[$n][$i]; Remote = "$remote/s$i"; Down = (New-Item -ItemType Directory (Join-Path $down "s$i")).FullName }
            }
            # The sessions' folders (with their parents), not timed.
            $null = Measure-Step $shares { param($share, $session) $null = New-FtpItem $share.Remote -ItemType Directory -Session $session }
            Invoke-Prefault ([long]$SizeMB * 1MB)
            $upBig = Measure-Step $shares { param($share, $session) $null = Send-FtpFile -LiteralPath $share.Big -Destination $share.Remote -Session $session }
            Invoke-Prefault ([long]$SizeMB * 1MB)
            $downBig = Measure-Step $shares { param($share, $session) $null = Receive-FtpFile -Path "$($share.Remote)/$(Split-Path -Leaf $share.Big)" -Destination $share.Down -Session $session }
            foreach ($share in $shares) {
                & cmp -s -- $share.Big (Join-Path $share.Down (Split-Path -Leaf $share.Big))
                if ($LASTEXITCODE -ne 0) { throw "differs: $($share.Big)" }
            }
            $upSmall = Measure-Step $shares { param($share, $session) $null = Get-ChildItem -LiteralPath $share.Small -File | Send-FtpFile -Destination "$($share.Remote)" -Session $session }
            $downSmall = Measure-Step $shares {
                param($share, $session)
                $target = New-Item -ItemType Directory (Join-Path $share.Down 'small')
                $null = Get-FtpItem $share.Remote -Session $session | Where-Object Name -Like 'f*.bin' | Receive-FtpFile -Destination $target.FullName -Session $session
            }
            foreach ($share in $shares) { Assert-SameFiles $share.Small (Join-Path $share.Down 'small') }
            $values = [ordered]@{
                'big up MB/s' = [long]$SizeMB * 1MB / 1e6 / $upBig
                'big down MB/s' = [long]$SizeMB * 1MB / 1e6 / $downBig
                'small up files/s' = $SmallFiles / $upSmall
                'small down files/s' = $SmallFiles / $downSmall
            }
            foreach ($key in $values.Keys) { $results["$($setup.Name)|$key"] += @($values[$key]) }
            Remove-Item -LiteralPath $down -Recurse -Force
            Write-Host ("run {0}: {1}: {2}" -f ($run + 1), $setup.Name, (($values.GetEnumerator() | ForEach-Object { '{0} {1:N0}' -f $_.Key, $_.Value }) -join ', '))
        }
    }
    $rows = foreach ($setup in $setups) {
        $row = [ordered]@{ Setup = $setup.Name }
        foreach ($key in 'big up MB/s', 'big down MB/s', 'small up files/s', 'small down files/s') {
            $sorted = $results["$($setup.Name)|$key"] | Sort-Object
            $row[$key] = [int]$sorted[[int][Math]::Floor($sorted.Count / 2)]
        }
        [pscustomobject]$row
    }
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
    Write-Host "$SizeMB MiB and $SmallFiles × 4 KiB; medians of $Runs runs, setups taking turns; server: $Server; load average now: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
} finally {
    # The bench's trees on S3 go with the servers that made them (the prefix is the bench's own).
    foreach ($port in @($cephPort, $backends | Select-Object -First 1) | Where-Object { $_ }) {
        try {
            $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $port -NoDefault
            Get-FtpItem / -Session $session | Remove-FtpItem -Recurse -Force -Session $session
            Disconnect-FtpSocket -Session $session
        } catch { Write-Warning "Could not empty the bench's S3 prefix through port ${port}: $_" }
    }
    if (Test-Path -LiteralPath $haproxyState) { & (Join-Path $repo 'deploy/haproxy/stop-haproxy.sh') --state $haproxyState --wipe | Out-Null }
    foreach ($process in $servers) { if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit() } }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
