#Requires -Version 7.2
<#
.SYNOPSIS
    Side-by-side bench: PSSocketFtp against vsftpd and pyftpdlib on this machine, in one run (issue 11).
.DESCRIPTION
    Needs root (apt-get, vsftpd) and minutes; not part of CI. Only 127.0.0.1 is used.
    Installs vsftpd, python3-pyftpdlib, curl and iperf3 from Debian when missing (a package apt refuses
    skips that peer), builds the Release module and server, starts the three servers on free loopback
    ports, then runs every scenario -Runs times with the tools taking turns in a rotating order and
    reports medians:
      iperf3 (one TCP stream, the ceiling); big upload and download (curl vs Send-FtpFile/Receive-FtpFile
      timed inside this pwsh); many small files on one session (Python ftplib vs Get-ChildItem | Send-FtpFile
      and Get-FtpItem | Receive-FtpFile; ours also through the test proxy with 10 ms each way, where one request at
      a time would cap at 50 files/s); listing a folder (curl as a whole process and ftplib vs
      Get-FtpItem); many sessions at once (ftplib threads vs ForEach-Object -Parallel) with each server's
      peak RSS; ours holding -IdleSessions idle sessions; Import-Module over a bare pwsh start.
    Our server is the native one (-Server Native, ./build.ps1 -Task NativeServer), as a Linux host would run it;
    -Server Framework runs the framework-dependent one the module carries, on the dotnet host.
    Every copy is checked (size and content, cmp / diff -r); a mismatch fails that tool's row.
    Before each timed transfer of a new big file a file of the same size is written and deleted, for every
    tool alike: this VM hands freed memory back to its host and writing into such memory is ~10x slower.
    Ratio column: ours / best peer for rates, best peer / ours for times and memory (>= 1 means we are ahead).
.EXAMPLE
    sudo dotnet pwsh bench/side-by-side/Invoke-SideBySide.ps1
.EXAMPLE
    dotnet pwsh bench/side-by-side/Invoke-SideBySide.ps1 -SizeMB 64 -SmallFiles 200 -ListCount 2000 -Sessions 20 -Runs 1
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 15)] [int] $Runs = 3,
    [ValidateRange(1, 16384)] [int] $SizeMB = 1024,
    [ValidateRange(1, 100000)] [int] $SmallFiles = 1000,
    [ValidateRange(1, 1000000)] [int] $ListCount = 10000,
    [ValidateRange(1, 500)] [int] $Sessions = 100,
    [ValidateRange(1, 64)] [int] $SessionMB = 1,
    [ValidateRange(1, 5000)] [int] $IdleSessions = 1000,
    [string] $JsonPath,
    # Native: the server compiled ahead of time (./build.ps1 -Task NativeServer), what a Linux host would run;
    # Framework: the framework-dependent PSSocketFtp.Server.dll on the dotnet host, as the module carries it.
    [ValidateSet('Native', 'Framework')] [string] $Server = 'Native',
    [switch] $SkipInstall,
    [switch] $SkipBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$peerPy = Join-Path $PSScriptRoot 'ftp_peer.py'
$python = '/usr/bin/python3'   # Debian's python, where python3-pyftpdlib lands (not a pyenv shim)
if (-not $JsonPath) { $JsonPath = Join-Path $repo ("artifacts/side-by-side/sxs-{0:yyyyMMdd-HHmmss}.json" -f (Get-Date)) }
$smallSize = 4096

function Write-Step([string] $Text) { Write-Host ("[{0:HH:mm:ss}] {1}" -f (Get-Date), $Text) }

function Invoke-Native([string] $What, [scriptblock] $Command) {
    $out = & $Command 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code ${LASTEXITCODE}: $($out | Select-Object -Last 5)" }
    $out
}

function Get-FreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop(); $port
}

function Wait-Port([int] $Port, [System.Diagnostics.Process] $Process, [string] $Name) {
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($Process.HasExited) { throw "$Name exited with code $($Process.ExitCode) before it listened." }
        $c = [System.Net.Sockets.TcpClient]::new()
        try { $c.Connect('127.0.0.1', $Port); return } catch { Start-Sleep -Milliseconds 100 } finally { $c.Dispose() }
    }
    throw "$Name did not listen on 127.0.0.1:$Port within 60 s."
}

$started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
function Start-Server([string] $Name, [string] $File, [string[]] $Arguments, [int] $Port, [string] $LogDir) {
    $p = Start-Process -FilePath $File -ArgumentList $Arguments -PassThru -RedirectStandardOutput (Join-Path $LogDir "$Name.out") -RedirectStandardError (Join-Path $LogDir "$Name.err")
    $started.Add($p)
    Wait-Port $Port $p $Name
    $p
}

# Writes and deletes a file of this size next to the copies, so the pages they land in were recently touched.
function Invoke-Prefault([string] $Dir, [long] $Bytes) {
    $path = Join-Path $Dir '.prefault'
    $buf = [byte[]]::new(4MB)
    $fs = [System.IO.File]::Create($path)
    try { for ($n = 0L; $n -lt $Bytes; $n += $buf.Length) { $fs.Write($buf, 0, [int][Math]::Min($buf.Length, $Bytes - $n)) } }
    finally { $fs.Dispose() }
    Remove-Item -LiteralPath $path -Force
}

function New-RandomFile([string] $Path, [long] $Bytes) {
    $buf = [byte[]]::new([int][Math]::Min(4MB, $Bytes))
    $fs = [System.IO.File]::Create($Path)
    try {
        for ($n = 0L; $n -lt $Bytes; $n += $buf.Length) {
            [System.Security.Cryptography.RandomNumberGenerator]::Fill($buf)
            $fs.Write($buf, 0, [int][Math]::Min($buf.Length, $Bytes - $n))
        }
    } finally { $fs.Dispose() }
}

function Assert-SameFile([string] $Expected, [string] $Actual) {
    if (-not (Test-Path -LiteralPath $Actual)) { throw "copy missing: $Actual" }
    if ((Get-Item -LiteralPath $Expected).Length -ne (Get-Item -LiteralPath $Actual).Length) { throw "size differs: $Actual" }
    & cmp -s -- $Expected $Actual
    if ($LASTEXITCODE -ne 0) { throw "content differs: $Actual" }
}

function Assert-SameFolder([string] $Expected, [string] $Actual) {
    $n = @(Get-ChildItem -LiteralPath $Actual -File -Force).Count
    $m = @(Get-ChildItem -LiteralPath $Expected -File -Force).Count
    if ($n -ne $m) { throw "$Actual holds $n files, expected $m" }
    $null = & diff -rq -- $Expected $Actual
    if ($LASTEXITCODE -ne 0) { throw "content differs: $Actual" }
}

function Reset-Folder([string] $Path, [string] $Owner) {
    if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $Path
    if ($Owner) { & chown "${Owner}:" $Path }
}

function Invoke-Timed([scriptblock] $Block) {
    $sw = [System.Diagnostics.Stopwatch]::StartNew(); & $Block; $sw.Stop(); $sw.Elapsed.TotalSeconds
}

function Invoke-PeerPy([string[]] $Arguments) {
    $out = & $python $peerPy @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "ftp_peer.py $($Arguments[0]) failed: $($out | Select-Object -Last 3)" }
    ($out | Select-Object -Last 1) | ConvertFrom-Json
}

function Get-PeakRssMiB([int] $ProcessId) {
    $line = Get-Content "/proc/$ProcessId/status" | Where-Object { $_ -like 'VmHWM:*' }
    [double](($line -split '\s+')[1]) / 1024
}
function Reset-PeakRss([int] $ProcessId) { [System.IO.File]::WriteAllText("/proc/$ProcessId/clear_refs", '5') }

$median = {
    param([double[]] $Values)
    if (-not $Values -or $Values.Count -eq 0) { return $null }
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

# ------------------------------------------------------------------------------------------------ setup
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("psftp-sxs-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
$notes = [System.Collections.Generic.List[string]]::new()
$peers = [ordered]@{}        # name -> @{ Port; Process; Root (the folder /up of its FTP root); Owner }
$results = @{}               # "row|tool" -> list of values, or 'FAILED: reason'
$session = $null
try {
    if ((id -u) -ne '0') { throw 'Run as root: the bench installs packages and starts vsftpd.' }
    $null = New-Item -ItemType Directory -Path $work
    & chmod 755 $work

    if (-not $SkipInstall) {
        $need = @{ vsftpd = '/usr/sbin/vsftpd'; 'python3-pyftpdlib' = $null; curl = '/usr/bin/curl'; iperf3 = '/usr/bin/iperf3' }
        $missing = @($need.Keys | Where-Object {
                if ($_ -eq 'python3-pyftpdlib') { & $python -c 'import pyftpdlib' 2>$null; $LASTEXITCODE -ne 0 } else { -not (Test-Path -LiteralPath $need[$_]) } })
        if ($missing) {
            Write-Step "apt-get install $($missing -join ' ')"
            $env:DEBIAN_FRONTEND = 'noninteractive'
            & apt-get update *> (Join-Path $work 'apt.log')
            foreach ($pkg in $missing) {
                & apt-get install -y $pkg *>> (Join-Path $work 'apt.log')
                if ($LASTEXITCODE -ne 0) { $notes.Add("apt-get refused $pkg (exit $LASTEXITCODE); its rows are skipped"); Write-Warning $notes[-1] }
            }
        }
    }
    $haveCurl = Test-Path -LiteralPath /usr/bin/curl
    $haveIperf = Test-Path -LiteralPath /usr/bin/iperf3
    & $python -c 'import pyftpdlib' 2>$null; $havePyftpd = $LASTEXITCODE -eq 0
    $haveVsftpd = (Test-Path -LiteralPath /usr/sbin/vsftpd) -and (Get-Command getent -ErrorAction SilentlyContinue) -and (getent passwd ftp)

    if (-not $SkipBuild) {
        Write-Step 'dotnet build -c Release'
        $null = Invoke-Native 'dotnet build' { dotnet build (Join-Path $repo 'PSSocketFtp.sln') -c Release -nologo }
    }
    $modulePath = Join-Path $repo 'artifacts/module/PSSocketFtp/PSSocketFtp.psd1'
    if ($Server -eq 'Native') {
        if (-not $SkipBuild) {
            Write-Step 'build.ps1 -Task NativeServer'
            $null = Invoke-Native 'build.ps1 -Task NativeServer' { dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $repo 'build.ps1') -Task NativeServer }
        }
        $serverCommand = @(Join-Path $repo 'artifacts/server/linux-x64/pssocketftp-server')
        if (-not (Test-Path -LiteralPath $serverCommand[0])) { throw 'No native server; run without -SkipBuild, or with -Server Framework.' }
    } else {
        $serverDll = (Get-ChildItem -LiteralPath (Join-Path $repo 'src/PSSocketFtp.Server/bin/Release') -Recurse -Filter PSSocketFtp.Server.dll | Select-Object -First 1).FullName
        if (-not $serverDll) { throw 'No Release build of the server; run without -SkipBuild.' }
        $serverCommand = 'dotnet', $serverDll
    }
    $notes.Add("Our server: $Server ($($serverCommand -join ' ')).")

    # Local data: the big file, the small files, one file per session.
    Write-Step "preparing data in $work ($SizeMB MiB, $SmallFiles x 4 KiB, $ListCount entries, $Sessions x $SessionMB MiB)"
    $local = Join-Path $work 'local'; $null = New-Item -ItemType Directory $local
    $big = Join-Path $local 'big.bin'; $bigBytes = [long]$SizeMB * 1MB
    New-RandomFile $big $bigBytes
    $smallDir = Join-Path $local 'small'; $null = New-Item -ItemType Directory $smallDir
    for ($i = 0; $i -lt $SmallFiles; $i++) { New-RandomFile (Join-Path $smallDir ('f{0:D6}.bin' -f $i)) $smallSize }
    $sessDir = Join-Path $local 'sess'; $null = New-Item -ItemType Directory $sessDir
    for ($i = 0; $i -lt $Sessions; $i++) { New-RandomFile (Join-Path $sessDir ('s{0:D4}.bin' -f $i)) ([long]$SessionMB * 1MB) }
    $logs = Join-Path $work 'logs'; $null = New-Item -ItemType Directory $logs

    # Each server's FTP root holds /up (writable by the server's user): up/sdown (small files to download) and up/list.
    function New-ServerRoot([string] $Name, [string] $Owner) {
        $root = Join-Path $work "root-$Name"; $null = New-Item -ItemType Directory $root
        $up = Join-Path $root 'up'
        Reset-Folder $up $Owner
        $sdown = Join-Path $up 'sdown'; Reset-Folder $sdown $Owner
        Copy-Item -Path (Join-Path $smallDir '*') -Destination $sdown
        $list = Join-Path $up 'list'; Reset-Folder $list $Owner
        $empty = [byte[]]::new(0)
        for ($i = 0; $i -lt $ListCount; $i++) { [System.IO.File]::WriteAllBytes((Join-Path $list ('entry{0:D7}.txt' -f $i)), $empty) }
        @{ Root = $root; Up = $up; Owner = $Owner }
    }

    if ($haveVsftpd) {
        $r = New-ServerRoot 'vsftpd' 'ftp'
        & chmod 755 $r.Root   # anonymous is chrooted; vsftpd refuses a writable chroot
        $port = Get-FreePort
        $conf = Join-Path $work 'vsftpd.conf'
        @"
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$($r.Root)
local_enable=NO
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=40000
pasv_max_port=60000
port_enable=NO
seccomp_sandbox=NO
xferlog_enable=NO
dirmessage_enable=NO
max_clients=0
max_per_ip=0
use_localtime=NO
secure_chroot_dir=/var/run/vsftpd/empty
"@ | Set-Content -LiteralPath $conf
        try {
            $p = Start-Server 'vsftpd' '/usr/sbin/vsftpd' @($conf) $port $logs
            $peers['vsftpd'] = $r + @{ Port = $port; Process = $p }
        } catch { $notes.Add("vsftpd did not start: $_"); Write-Warning $notes[-1] }
    } else { $notes.Add('vsftpd (or the ftp user) is missing: its rows are skipped') }

    if ($havePyftpd) {
        $r = New-ServerRoot 'pyftpdlib' $null
        $port = Get-FreePort
        try {
            $p = Start-Server 'pyftpdlib' $python @($peerPy, 'serve-pyftpdlib', $port, $r.Root) $port $logs
            $peers['pyftpdlib'] = $r + @{ Port = $port; Process = $p }
        } catch { $notes.Add("pyftpdlib did not start: $_"); Write-Warning $notes[-1] }
    } else { $notes.Add('python3-pyftpdlib is missing: its rows are skipped') }

    $r = New-ServerRoot 'ours' $null
    $port = Get-FreePort
    $p = Start-Server 'PSSocketFtp' $serverCommand[0] (@($serverCommand | Select-Object -Skip 1) + @('--root', $r.Root, '--port', $port, '--bind', '127.0.0.1', '--PSSocketFtp:MaxConnectionsPerAddress', ($IdleSessions + 100), '--PSSocketFtp:MaxConnections', ($IdleSessions + 100))) $port $logs
    $ours = $r + @{ Port = $port; Process = $p }

    Import-Module $modulePath
    $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $ours.Port

    # Ours only: the same small files through a link of 10 ms each way (the test proxy; tc netem is not available here),
    # where one request at a time caps at 50 files/s (two round trips of 20 ms a file).
    $proxyDll = (Get-ChildItem -LiteralPath (Join-Path $repo 'tests/PSSocketFtp.FaultProxy/bin/Release') -Recurse -Filter PSSocketFtp.FaultProxy.dll | Select-Object -First 1).FullName
    $slowSession = $null
    if ($proxyDll) {
        $proxyOut = Join-Path $logs 'latency-proxy.out'
        $proxy = Start-Process -FilePath 'dotnet' -ArgumentList @($proxyDll, '--target', "127.0.0.1:$port", '--seed', '1', '--cut-rate', '0', '--stall-rate', '0', '--flip-rate', '0', '--latency-ms', '10', '--quiet') -PassThru -RedirectStandardOutput $proxyOut -RedirectStandardError (Join-Path $logs 'latency-proxy.err')
        $started.Add($proxy)
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        $proxyPort = $null
        while (-not $proxyPort -and [DateTime]::UtcNow -lt $deadline) {
            $line = if (Test-Path -LiteralPath $proxyOut) { Get-Content -LiteralPath $proxyOut -Raw } else { '' }
            if ($line -match 'listening on 127\.0\.0\.1:(\d+)') { $proxyPort = [int]$Matches[1] } else { Start-Sleep -Milliseconds 100 }
        }
        if (-not $proxyPort) { throw 'The latency proxy did not start.' }
        $slowSession = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $proxyPort
        Set-FtpDefaultSession -Session $session
    } else {
        $notes.Add('No Release build of tests/PSSocketFtp.FaultProxy: the rows through a 10 ms link are skipped.')
    }

    $tools = @($peers.Keys) + 'PSSocketFtp'
    $rows = [ordered]@{
        iperf3    = @{ Label = 'iperf3, one TCP stream (ceiling)'; Unit = 'MB/s'; Higher = $true }
        bigUp     = @{ Label = "$SizeMB MiB upload"; Unit = 'MB/s'; Higher = $true; Peer = 'curl'; Ours = 'Send-FtpFile' }
        bigDown   = @{ Label = "$SizeMB MiB download"; Unit = 'MB/s'; Higher = $true; Peer = 'curl'; Ours = 'Receive-FtpFile' }
        smallUp   = @{ Label = "$SmallFiles x 4 KiB upload, one session"; Unit = 'files/s'; Higher = $true; Peer = 'ftplib'; Ours = 'Get-ChildItem | Send-FtpFile' }
        smallDown = @{ Label = "$SmallFiles x 4 KiB download, one session"; Unit = 'files/s'; Higher = $true; Peer = 'ftplib'; Ours = 'Get-FtpItem | Receive-FtpFile' }
        slowUp    = @{ Label = "$SmallFiles x 4 KiB upload across 10 ms each way (ours only)"; Unit = 'files/s'; Higher = $true; Ours = 'Get-ChildItem | Send-FtpFile' }
        slowDown  = @{ Label = "$SmallFiles x 4 KiB download across 10 ms each way (ours only)"; Unit = 'files/s'; Higher = $true; Ours = 'Get-FtpItem | Receive-FtpFile' }
        listCurl  = @{ Label = "list $ListCount entries (peers: curl process)"; Unit = 'ms'; Higher = $false; Peer = 'curl LIST'; Ours = 'Get-FtpItem' }
        listLib   = @{ Label = "list $ListCount entries (peers: ftplib)"; Unit = 'ms'; Higher = $false; Peer = 'ftplib LIST'; Ours = 'Get-FtpItem' }
        sessRate  = @{ Label = "$Sessions sessions x $SessionMB MiB at once, transfer rate"; Unit = 'MB/s'; Higher = $true; Peer = 'ftplib threads'; Ours = 'ForEach-Object -Parallel' }
        sessTime  = @{ Label = "$Sessions sessions x $SessionMB MiB at once, total time"; Unit = 'ms'; Higher = $false }
        sessRss   = @{ Label = "server peak RSS during those sessions"; Unit = 'MiB'; Higher = $false }
        idleRss   = @{ Label = "server RSS with $IdleSessions idle sessions (ours only)"; Unit = 'MiB'; Higher = $false; Ours = 'Connect-FtpSocket' }
        import    = @{ Label = 'Import-Module over a bare pwsh start'; Unit = 'ms'; Higher = $false }
    }
    function Add-Result([string] $Row, [string] $Tool, $Value) {
        $key = "$Row|$Tool"
        if ($results[$key] -is [string]) { return }   # failed already
        if ($Value -is [string]) { $results[$key] = $Value; return }
        if (-not $results.ContainsKey($key)) { $results[$key] = [System.Collections.Generic.List[double]]::new() }
        $results[$key].Add([double]$Value)
    }
    # Rows measured together fail together.
    $linked = @{ sessRate = @('sessTime', 'sessRss'); listCurl = @('listLib') }
    function Invoke-Measure([string] $Row, [string] $Tool, [scriptblock] $Block) {
        try { & $Block }
        catch {
            Write-Warning "$Row / ${Tool}: $_"
            Add-Result $Row $Tool "FAILED: $_"
            if ($Tool -eq 'PSSocketFtp' -or $Row -eq 'sessRate') { foreach ($other in @($linked[$Row])) { if ($other -and -not ($other -eq 'sessRss' -and $Tool -eq 'vsftpd')) { Add-Result $other $Tool "FAILED: see $Row" } } }
        }
    }

    # ---------------------------------------------------------------------------------------- scenarios
    function Measure-Big([string] $Tool) {
        $t = if ($Tool -eq 'PSSocketFtp') { $ours } else { $peers[$Tool] }
        $remote = Join-Path $t.Up 'big.bin'
        $download = Join-Path $work 'big-download.bin'
        Remove-Item -LiteralPath $remote, $download -Force -ErrorAction SilentlyContinue
        Invoke-Measure 'bigUp' $Tool {
            Invoke-Prefault $t.Up $bigBytes
            $s = if ($Tool -eq 'PSSocketFtp') {
                (Measure-Command { $null = Send-FtpFile -LiteralPath $big -Destination /up/big.bin -Conflict Overwrite -Session $session }).TotalSeconds
            } else {
                Invoke-Timed { $null = Invoke-Native 'curl upload' { curl -sS --fail -T $big "ftp://127.0.0.1:$($t.Port)/up/big.bin" } }
            }
            Assert-SameFile $big $remote
            Add-Result 'bigUp' $Tool ($bigBytes / $s / 1e6)
        }
        Invoke-Measure 'bigDown' $Tool {
            if (-not (Test-Path -LiteralPath $remote)) { Copy-Item -LiteralPath $big -Destination $remote; if ($t.Owner) { & chown "$($t.Owner):" $remote } }
            Invoke-Prefault $work $bigBytes
            $s = if ($Tool -eq 'PSSocketFtp') {
                (Measure-Command { $null = Receive-FtpFile /up/big.bin -Destination $download -Force -Session $session }).TotalSeconds
            } else {
                Invoke-Timed { $null = Invoke-Native 'curl download' { curl -sS --fail -o $download "ftp://127.0.0.1:$($t.Port)/up/big.bin" } }
            }
            Assert-SameFile $big $download
            Add-Result 'bigDown' $Tool ($bigBytes / $s / 1e6)
        }
        Remove-Item -LiteralPath $remote, $download -Force -ErrorAction SilentlyContinue
    }

    function Measure-Small([string] $Tool) {
        $t = if ($Tool -eq 'PSSocketFtp') { $ours } else { $peers[$Tool] }
        $remote = Join-Path $t.Up 'sup'
        Reset-Folder $remote $t.Owner
        Invoke-Measure 'smallUp' $Tool {
            $s = if ($Tool -eq 'PSSocketFtp') {
                (Measure-Command { Get-ChildItem -LiteralPath $smallDir -File | Send-FtpFile -Destination /up/sup/ -Session $session | Out-Null }).TotalSeconds
            } else { (Invoke-PeerPy @('small-up', $t.Port, '/up/sup', $smallDir)).seconds }
            Assert-SameFolder $smallDir $remote
            Add-Result 'smallUp' $Tool ($SmallFiles / $s)
        }
        Remove-Item -LiteralPath $remote -Recurse -Force -ErrorAction SilentlyContinue
        $dest = Join-Path $work 'small-download'
        Reset-Folder $dest $null
        Invoke-Measure 'smallDown' $Tool {
            $s = if ($Tool -eq 'PSSocketFtp') {
                (Measure-Command { Get-FtpItem /up/sdown -Session $session | Receive-FtpFile -Destination $dest -Session $session | Out-Null }).TotalSeconds
            } else { (Invoke-PeerPy @('small-down', $t.Port, '/up/sdown', $dest)).seconds }
            Assert-SameFolder $smallDir $dest
            Add-Result 'smallDown' $Tool ($SmallFiles / $s)
        }
        Remove-Item -LiteralPath $dest -Recurse -Force -ErrorAction SilentlyContinue
        if ($Tool -ne 'PSSocketFtp' -or -not $slowSession) { return }
        Reset-Folder $remote $t.Owner
        Invoke-Measure 'slowUp' $Tool {
            $s = (Measure-Command { Get-ChildItem -LiteralPath $smallDir -File | Send-FtpFile -Destination /up/sup/ -Session $slowSession | Out-Null }).TotalSeconds
            Assert-SameFolder $smallDir $remote
            Add-Result 'slowUp' $Tool ($SmallFiles / $s)
        }
        Remove-Item -LiteralPath $remote -Recurse -Force -ErrorAction SilentlyContinue
        Reset-Folder $dest $null
        Invoke-Measure 'slowDown' $Tool {
            $s = (Measure-Command { Get-FtpItem /up/sdown -Session $slowSession | Receive-FtpFile -Destination $dest -Session $slowSession | Out-Null }).TotalSeconds
            Assert-SameFolder $smallDir $dest
            Add-Result 'slowDown' $Tool ($SmallFiles / $s)
        }
        Remove-Item -LiteralPath $dest -Recurse -Force -ErrorAction SilentlyContinue
    }

    function Measure-List([string] $Tool) {
        if ($Tool -eq 'PSSocketFtp') {
            Invoke-Measure 'listCurl' $Tool {
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $items = Get-FtpItem /up/list -Session $session
                $s = $sw.Elapsed.TotalSeconds
                if (@($items).Count -ne $ListCount) { throw "listed $(@($items).Count) entries, expected $ListCount" }
                Add-Result 'listCurl' $Tool ($s * 1000); Add-Result 'listLib' $Tool ($s * 1000)
            }
            return
        }
        $t = $peers[$Tool]
        if ($haveCurl) {
            Invoke-Measure 'listCurl' $Tool {
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $lines = Invoke-Native 'curl LIST' { curl -sS --fail "ftp://127.0.0.1:$($t.Port)/up/list/" }
                $s = $sw.Elapsed.TotalSeconds
                if (@($lines).Count -ne $ListCount) { throw "listed $(@($lines).Count) entries, expected $ListCount" }
                Add-Result 'listCurl' $Tool ($s * 1000)
            }
        }
        Invoke-Measure 'listLib' $Tool {
            $r = Invoke-PeerPy @('list', $t.Port, '/up/list')
            if ($r.entries -ne $ListCount) { throw "listed $($r.entries) entries, expected $ListCount" }
            Add-Result 'listLib' $Tool ($r.seconds * 1000)
        }
    }

    function Measure-Sessions([string] $Tool) {
        $t = if ($Tool -eq 'PSSocketFtp') { $ours } else { $peers[$Tool] }
        $remote = Join-Path $t.Up 'sess'
        Reset-Folder $remote $t.Owner
        Invoke-Prefault $t.Up ([long]$Sessions * $SessionMB * 1MB)
        $pidToWatch = if ($Tool -ne 'vsftpd') { $t.Process.Id }
        if ($pidToWatch) { Reset-PeakRss $pidToWatch }
        Invoke-Measure 'sessRate' $Tool {
            $bytes = [double]$Sessions * $SessionMB * 1MB
            if ($Tool -eq 'PSSocketFtp') {
                $files = @(Get-ChildItem -LiteralPath $sessDir -File | ForEach-Object FullName)
                $barrier = [System.Threading.Barrier]::new($files.Count)
                $port = $ours.Port
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $spans = $files | ForEach-Object -ThrottleLimit ([Math]::Max(100, $files.Count)) -Parallel {
                    Import-Module $using:modulePath
                    $b = $using:barrier
                    $s = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $using:port
                    if (-not $b.SignalAndWait(120000)) { throw 'the sessions did not all connect within 120 s' }
                    $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                    $null = Send-FtpFile -LiteralPath $_ -Destination /up/sess/ -Session $s
                    $t1 = [System.Diagnostics.Stopwatch]::GetTimestamp()
                    Disconnect-FtpSocket -Session $s
                    [pscustomobject]@{ Start = $t0; End = $t1 }
                }
                $sw.Stop()
                if (@($spans).Count -ne $files.Count) { throw "$(@($spans).Count) of $($files.Count) sessions finished" }
                $total = $sw.Elapsed.TotalSeconds
                $transfer = (($spans.End | Measure-Object -Maximum).Maximum - ($spans.Start | Measure-Object -Minimum).Minimum) / [System.Diagnostics.Stopwatch]::Frequency
            } else {
                $r = Invoke-PeerPy @('sessions', $t.Port, '/up/sess', $sessDir)
                $total = $r.seconds; $transfer = $r.transferSeconds
            }
            Assert-SameFolder $sessDir $remote
            Add-Result 'sessRate' $Tool ($bytes / $transfer / 1e6)
            Add-Result 'sessTime' $Tool ($total * 1000)
            if ($pidToWatch) { Add-Result 'sessRss' $Tool (Get-PeakRssMiB $pidToWatch) }
        }
        Remove-Item -LiteralPath $remote -Recurse -Force -ErrorAction SilentlyContinue
    }

    function Measure-Iperf {
        if (-not $haveIperf) { return }
        Invoke-Measure 'iperf3' 'PSSocketFtp' {
            $port = Get-FreePort
            $srv = Start-Process /usr/bin/iperf3 -ArgumentList @('-s', '-1', '-B', '127.0.0.1', '-p', $port) -PassThru -RedirectStandardOutput (Join-Path $logs 'iperf3.out') -RedirectStandardError (Join-Path $logs 'iperf3.err')
            $started.Add($srv)
            # Not Wait-Port: iperf3 -s -1 would take a probe connection for its one test.
            for ($k = 0; $k -lt 100 -and -not (& ss -Hltn "sport = :$port"); $k++) { Start-Sleep -Milliseconds 100 }
            $json = Invoke-Native 'iperf3' { iperf3 -c 127.0.0.1 -p $port -t 3 -J }
            $bps = ($json -join "`n" | ConvertFrom-Json).end.sum_received.bits_per_second
            Add-Result 'iperf3' 'PSSocketFtp' ($bps / 8 / 1e6)
            $null = $srv.WaitForExit(10000)
        }
    }

    function Measure-Idle {
        # Connections that logged in and wait, as scheduled jobs leave them: what each costs the server to hold.
        Invoke-Measure 'idleRss' 'PSSocketFtp' {
            $idle = [System.Collections.Generic.List[object]]::new()
            try {
                for ($k = 0; $k -lt $IdleSessions; $k++) { $idle.Add((Connect-FtpSocket -ComputerName 127.0.0.1 -Port $ours.Port -NoDefault)) }
                Start-Sleep -Seconds 1
                $rss = [double](((Get-Content -LiteralPath "/proc/$($ours.Process.Id)/status") -match '^VmRSS:' -replace '\D') -join '') / 1024
                Add-Result 'idleRss' 'PSSocketFtp' $rss
            } finally {
                $idle | ForEach-Object { Disconnect-FtpSocket -Session $_ }
            }
        }
    }

    function Measure-Import {
        Invoke-Measure 'import' 'PSSocketFtp' {
            Push-Location $repo
            try {
                # A warm-up start, then bare and importing starts taking turns; the median difference counts.
                $null = Invoke-Native 'pwsh' { dotnet pwsh -NoProfile -NonInteractive -c 'exit 0' }
                $diffs = for ($k = 0; $k -lt 3; $k++) {
                    $bare = Invoke-Timed { $null = Invoke-Native 'pwsh' { dotnet pwsh -NoProfile -NonInteractive -c 'exit 0' } }
                    $with = Invoke-Timed { $null = Invoke-Native 'pwsh' { dotnet pwsh -NoProfile -NonInteractive -c "Import-Module '$modulePath'; exit 0" } }
                    ($with - $bare) * 1000
                }
            } finally { Pop-Location }
            Add-Result 'import' 'PSSocketFtp' (& $median $diffs)
        }
    }

    # Warm-up, not timed: our cmdlets' first calls in this process pay for JIT, which a curl or python start does not.
    $warm = Join-Path $work 'warm.bin'
    New-RandomFile $warm 1MB
    $null = Send-FtpFile -LiteralPath $warm -Destination /up/warm.bin -Conflict Overwrite -Session $session
    $null = Receive-FtpFile /up/warm.bin -Destination (Join-Path $work 'warm-back.bin') -Force -Session $session
    $null = Get-FtpItem /up -Session $session
    Remove-Item -LiteralPath $warm, (Join-Path $work 'warm-back.bin'), (Join-Path $ours.Up 'warm.bin') -Force

    # ------------------------------------------------------------------------------------------- runs
    for ($run = 0; $run -lt $Runs; $run++) {
        $order = @(for ($k = 0; $k -lt $tools.Count; $k++) { $tools[($k + $run) % $tools.Count] })
        Write-Step "run $($run + 1) of $Runs, order: $($order -join ', ')"
        Measure-Iperf
        foreach ($scenario in 'Measure-Big', 'Measure-Small', 'Measure-List', 'Measure-Sessions') {
            foreach ($tool in $order) {
                if ($tool -ne 'PSSocketFtp' -and -not $haveCurl -and $scenario -eq 'Measure-Big') { continue }
                Write-Step "  $scenario $tool"
                & $scenario $tool
            }
        }
        Measure-Idle
        Measure-Import
    }

    # ----------------------------------------------------------------------------------------- report
    $table = foreach ($rowKey in $rows.Keys) {
        $row = $rows[$rowKey]
        $cells = [ordered]@{}
        foreach ($tool in $tools) {
            $v = $results["$rowKey|$tool"]
            $cells[$tool] = if ($null -eq $v) { $null } elseif ($v -is [string]) { $v } else { & $median $v.ToArray() }
        }
        $oursValue = $cells['PSSocketFtp']
        $peerValues = @($peers.Keys | ForEach-Object { $cells[$_] } | Where-Object { $_ -is [double] })
        $ratio = $null
        if ($oursValue -is [double] -and $peerValues.Count -gt 0 -and $oursValue -gt 0) {
            $ratio = if ($row.Higher) { $oursValue / ($peerValues | Measure-Object -Maximum).Maximum } else { ($peerValues | Measure-Object -Minimum).Minimum / $oursValue }
        }
        [pscustomobject]@{ Row = $rowKey; Label = $row.Label; Unit = $row.Unit; PeerClient = $row['Peer']; OurCommand = $row['Ours']; Values = $cells; Ratio = $ratio; Runs = $Runs }
    }

    $fmt = { param($v, $unit) if ($null -eq $v) { '—' } elseif ($v -is [string]) { 'FAILED' } else { '{0:N0} {1}' -f $v, $unit } }
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("| row | $($tools -join ' | ') | ours / best peer |")
    $lines.Add("|---|$('---|' * $tools.Count)---|")
    foreach ($t in $table) {
        $cells = foreach ($tool in $tools) { & $fmt $t.Values[$tool] $t.Unit }
        $ratio = if ($null -eq $t.Ratio) { '' } else { '{0:N2}' -f $t.Ratio }
        $lines.Add("| $($t.Label) | $($cells -join ' | ') | $ratio |")
    }
    Write-Host ''
    Write-Host "Medians of $Runs run(s); peers: curl (big, list), Python ftplib (small, list, sessions); ours: cmdlets inside pwsh. Ratio >= 1: we are ahead."
    $lines | ForEach-Object { Write-Host $_ }
    foreach ($t in $table) { foreach ($tool in $tools) { if ($t.Values[$tool] -is [string]) { Write-Host "$($t.Row) / ${tool}: $($t.Values[$tool])" } } }
    foreach ($n in $notes) { Write-Host "note: $n" }

    $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $JsonPath)
    [ordered]@{
        date = (Get-Date).ToUniversalTime().ToString('o'); commit = (git -C $repo rev-parse HEAD 2>$null)
        parameters = [ordered]@{ Runs = $Runs; SizeMB = $SizeMB; SmallFiles = $SmallFiles; ListCount = $ListCount; Sessions = $Sessions; SessionMB = $SessionMB; IdleSessions = $IdleSessions; Server = $Server }
        rows = $table
        raw = $results.Keys | Sort-Object | ForEach-Object { [ordered]@{ key = $_; values = if ($results[$_] -is [string]) { $results[$_] } else { $results[$_].ToArray() } } }
        notes = $notes
    } | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $JsonPath
    Write-Host "JSON: $JsonPath"
} catch {
    Write-Host $_.ScriptStackTrace
    throw
} finally {
    # Best effort: the server may be gone already, and the processes are stopped below either way.
    if ($session) { try { Disconnect-FtpSocket -Session $session } catch { } }
    foreach ($p in $started) {
        try {
            if (-not $p.HasExited) {
                # vsftpd forks a process per session: stop any left, then the listener.
                $children = @(& ps -o pid= --ppid $p.Id 2>$null | ForEach-Object { [int]$_.Trim() })
                foreach ($c in $children) { Stop-Process -Id $c -Force -ErrorAction SilentlyContinue }
                Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue
                $null = $p.WaitForExit(5000)
            }
        } catch {
            # A process that ended while it was being stopped is what this cleanup wants; the next one is still stopped.
        }
    }
    if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}
