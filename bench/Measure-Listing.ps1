<#
.SYNOPSIS
    Times Get-FtpItem on a 10,000-entry folder inside one pwsh, and a 1,000,000-entry folder's time to first item, total
    time and peak memory at both ends (issue 11, listing).
.DESCRIPTION
    Builds nothing: give it a built module and server (by default the Release ones of this repository; build with
    `dotnet build -c Release` first). Makes the folders under -Work (the big one only with -BigCount > 0; making a
    million empty files takes a minute or two, and they are kept for the next run unless -Clean), starts the server
    on a free loopback port, and inside this one pwsh, after a warm-up, times each variant -Runs times:
      - client: FtpSession.ListAsync alone (the wire, decoding and FtpItem construction, no PowerShell);
      - Out-Null: `Get-FtpItem /small | Out-Null` (adds the cmdlet and the pipeline);
      - assign: `$x = Get-FtpItem /small` (the usual script use);
      - format: `Get-FtpItem /small | Out-String` (the default table view, as at the prompt, without the terminal).
    Each line gives the median wall time, and this process's and the server's CPU time per run (utime + stime from
    /proc, far steadier than wall time on a loaded machine). For the big folder: time to the first item
    (`Select-Object -First 1`, which also stops the listing early), the whole listing through `| Out-Null`, the
    server's peak RSS (VmHWM, reset before) and this process's peak managed heap and peak RSS during it.
.EXAMPLE
    dotnet pwsh -NoProfile bench/Measure-Listing.ps1 -Runs 7 -BigCount 1000000
#>
param(
    [string] $Module = (Join-Path $PSScriptRoot '../artifacts/module/PSSocketFtp/PSSocketFtp.psd1'),
    [string] $ServerDll = (Join-Path $PSScriptRoot '../src/PSSocketFtp.Server/bin/Release/net10.0/PSSocketFtp.Server.dll'),
    [string] $Work = '/tmp/psftp-listing-bench',
    [int] $SmallCount = 10000,
    [int] $BigCount = 0,
    [int] $Runs = 7,
    [switch] $Clean
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $Module

function New-Folder([string] $Path, [int] $Count) {
    $marker = "$Path.made-$Count"
    if (Test-Path -LiteralPath $marker) { return }
    Remove-Item -LiteralPath $Path -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $Path | Out-Null
    # Python's os.open in a loop: a million files in about a minute, where New-Item would take an hour.
    python3 -c "import os,sys
d=sys.argv[1]
for i in range(int(sys.argv[2])):
    os.close(os.open(os.path.join(d,'entry%07d.txt'%i),os.O_CREAT|os.O_WRONLY,0o644))" $Path $Count
    if ($LASTEXITCODE -ne 0) { throw "making $Count files failed" }
    # Kept outside the listed folder: it would be listed too.
    New-Item -ItemType File -Path $marker | Out-Null
}

function Get-CpuMs([int] $ProcessId) {
    # /proc/<pid>/stat fields 14 and 15 (utime, stime) in clock ticks of 10 ms.
    $f = (Get-Content -LiteralPath "/proc/$ProcessId/stat" -Raw) -replace '^.*\) ', '' -split ' '
    ([long]$f[11] + [long]$f[12]) * 10
}

function Get-PeakRssMiB([int] $ProcessId) {
    $line = Select-String -LiteralPath "/proc/$ProcessId/status" -Pattern '^VmHWM:\s+(\d+)'
    [math]::Round([long]$line.Matches[0].Groups[1].Value / 1024, 1)
}

function Reset-PeakRss([int] $ProcessId) { /bin/sh -c "echo 5 > /proc/$ProcessId/clear_refs" }

function Get-Median([double[]] $Values) {
    $s = $Values | Sort-Object
    $s[[int][math]::Floor(($s.Count - 1) / 2)]
}

# Samples the managed heap every 20 ms on a timer thread, for the client's peak during the big listing.
Add-Type -TypeDefinition @'
public sealed class HeapSampler : System.IDisposable
{
    private readonly System.Threading.Timer _timer;
    private long _peak;
    public HeapSampler() { _timer = new System.Threading.Timer(_ => Sample(), null, 0, 20); }
    public long PeakBytes { get { Sample(); return System.Threading.Interlocked.Read(ref _peak); } }
    private void Sample()
    {
        long now = System.GC.GetTotalMemory(false);
        long seen;
        while (now > (seen = System.Threading.Interlocked.Read(ref _peak)) && System.Threading.Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
    }
    public void Dispose() { _timer.Dispose(); }
}
'@

New-Item -ItemType Directory -Path (Join-Path $Work 'root') -Force | Out-Null
New-Folder (Join-Path $Work 'root/small') $SmallCount
if ($BigCount -gt 0) { New-Folder (Join-Path $Work 'root/big') $BigCount }

$l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
$server = Start-Process -FilePath dotnet -ArgumentList @($ServerDll, '--root', (Join-Path $Work 'root'), '--port', $port, '--bind', '127.0.0.1') -PassThru -RedirectStandardOutput (Join-Path $Work 'server.out') -RedirectStandardError (Join-Path $Work 'server.err')
try {
    $session = $null
    for ($i = 0; $i -lt 100 -and -not $session; $i++) {
        try { $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $port } catch { Start-Sleep -Milliseconds 200 }
    }
    if (-not $session) { throw 'the server did not start' }

    $variants = [ordered]@{
        'client ListAsync' = { $null = $session.ListAsync('/small', $false, [System.Threading.CancellationToken]::None).GetAwaiter().GetResult() }
        '| Out-Null'       = { Get-FtpItem /small -Session $session | Out-Null }
        '$x = '            = { $x = Get-FtpItem /small -Session $session; if ($x.Count -ne $SmallCount) { throw "listed $($x.Count)" } }
        '| Out-String'     = { $null = Get-FtpItem /small -Session $session | Out-String }
    }
    foreach ($v in $variants.Values) { & $v; & $v }   # warm-up: JIT, the format view, the server's dentry cache
    $rows = foreach ($name in $variants.Keys) {
        $wall = @(); $cpu = @(); $srv = @()
        for ($r = 0; $r -lt $Runs; $r++) {
            [GC]::Collect()
            $c0 = Get-CpuMs $PID; $s0 = Get-CpuMs $server.Id
            $wall += (Measure-Command $variants[$name]).TotalMilliseconds
            $cpu += (Get-CpuMs $PID) - $c0; $srv += (Get-CpuMs $server.Id) - $s0
        }
        [pscustomobject]@{ Variant = "$SmallCount entries: $name"; 'Wall ms (median)' = [math]::Round((Get-Median $wall), 1); 'Wall ms (min)' = [math]::Round(($wall | Measure-Object -Minimum).Minimum, 1); 'pwsh CPU ms' = Get-Median $cpu; 'server CPU ms' = Get-Median $srv }
    }
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

    if ($BigCount -gt 0) {
        $first = Measure-Command { $one = Get-FtpItem /big -Session $session | Select-Object -First 1 }
        Write-Host ("{0:N0} entries: first item after {1:N0} ms ({2})" -f $BigCount, $first.TotalMilliseconds, $one.Name)
        Get-FtpItem / -Session $session | Out-Null   # the session still works after the early stop
        [GC]::Collect(); Start-Sleep -Seconds 1
        Reset-PeakRss $server.Id; Reset-PeakRss $PID
        $heap0 = [GC]::GetTotalMemory($true)
        $sampler = [HeapSampler]::new()
        $c0 = Get-CpuMs $PID; $s0 = Get-CpuMs $server.Id
        $total = Measure-Command { Get-FtpItem /big -Session $session | Out-Null }
        $c1 = Get-CpuMs $PID; $s1 = Get-CpuMs $server.Id
        $peak = $sampler.PeakBytes; $sampler.Dispose()
        Write-Host ("{0:N0} entries | Out-Null: {1:N0} ms (pwsh CPU {2:N0} ms, server CPU {3:N0} ms)" -f $BigCount, $total.TotalMilliseconds, ($c1 - $c0), ($s1 - $s0))
        Write-Host ("  server peak RSS {0} MiB; pwsh peak RSS {1} MiB, peak managed heap {2:N0} MiB over {3:N0} MiB before" -f (Get-PeakRssMiB $server.Id), (Get-PeakRssMiB $PID), ($peak / 1MB), ($heap0 / 1MB))
    }
    Disconnect-FtpSocket -Session $session
} finally {
    Stop-Process -Id $server.Id -ErrorAction SilentlyContinue
    if ($Clean) { Remove-Item -LiteralPath $Work -Recurse -Force }
}
