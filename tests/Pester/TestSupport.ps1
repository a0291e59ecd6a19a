# Shared by the Pester files: where the built module and server are, and a real server process per file.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifest = if ($env:PSSOCKETFTP_MODULE) { $env:PSSOCKETFTP_MODULE } else { Join-Path $RepoRoot 'artifacts/module/PSSocketFtp/PSSocketFtp.psd1' }

function Get-ServerAssembly {
    if ($env:PSSOCKETFTP_SERVER) { return $env:PSSOCKETFTP_SERVER }
    $found = Get-ChildItem (Join-Path $RepoRoot 'src/PSSocketFtp.Server/bin') -Recurse -Filter PSSocketFtp.Server.dll -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $found) { throw 'The server is not built: run ./build.ps1 first.' }
    $found.FullName
}

function Start-TestServer {
    <# Starts the real server process on an ephemeral port with a fresh root and returns its details; -ArgumentList adds switches. #>
    param([TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60), [string[]] $ArgumentList = @())
    $root = Join-Path ([IO.Path]::GetTempPath()) ("psftp-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $log = "$root.log"
    $process = Start-Process -FilePath 'dotnet' -ArgumentList (@((Get-ServerAssembly), '--root', $root, '--port', '0') + $ArgumentList) `
        -RedirectStandardOutput $log -RedirectStandardError "$root.err" -PassThru
    $deadline = [DateTime]::UtcNow + $Timeout
    while ($true) {
        $line = Get-Content $log -ErrorAction SilentlyContinue | Select-String 'listening on (.+):(\d+)' | Select-Object -First 1
        if ($line) { break }
        # WaitForExit doubles as the pause between looks and notices a server that died.
        if ($process.WaitForExit(100)) { throw "The server exited early: $(Get-Content -Raw $log) $(Get-Content -Raw "$root.err")" }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The server did not say where it listens within $Timeout." }
    }
    [pscustomobject]@{
        Process = $process
        Root    = $root
        Log     = $log
        Port    = [int]$line.Matches[0].Groups[2].Value
    }
}

function Stop-TestServer($Server) {
    if (-not $Server) { return }
    if (-not $Server.Process.HasExited) { $Server.Process.Kill() ; $Server.Process.WaitForExit() }
    Remove-Item $Server.Root, $Server.Log, "$($Server.Root).err" -Recurse -Force -ErrorAction SilentlyContinue
}

function New-TestFile([string] $Path, [int] $Length, [int] $Seed = 1) {
    $bytes = [byte[]]::new($Length)
    [Random]::new($Seed).NextBytes($bytes)
    [IO.File]::WriteAllBytes($Path, $bytes)
    Get-Item $Path
}

function Get-FaultProxyAssembly {
    if ($env:PSSOCKETFTP_FAULTPROXY) { return $env:PSSOCKETFTP_FAULTPROXY }
    $found = Get-ChildItem (Join-Path $RepoRoot 'tests/PSSocketFtp.FaultProxy/bin') -Recurse -Filter PSSocketFtp.FaultProxy.dll -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $found) { throw 'The fault proxy is not built: run ./build.ps1 first.' }
    $found.FullName
}

function Start-TestProxy {
    <#
    Starts the FaultProxy process in front of 127.0.0.1:$TargetPort with a seed, the same way Start-TestServer starts
    the server, and returns its port, seed and log (one line per fault injected). -ProxyArgs passes rates through,
    for example @('--cut-rate', '0.1').
    #>
    param(
        [Parameter(Mandatory)] [int] $TargetPort,
        [int] $Seed = 1,
        [string[]] $ProxyArgs = @(),
        [TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60)
    )
    $base = Join-Path ([IO.Path]::GetTempPath()) ("psftp-proxy-" + [guid]::NewGuid().ToString('N'))
    $log = "$base.log"
    $arguments = @((Get-FaultProxyAssembly), '--target', "127.0.0.1:$TargetPort", '--seed', $Seed) + $ProxyArgs
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -RedirectStandardOutput $log -RedirectStandardError "$base.err" -PassThru
    $deadline = [DateTime]::UtcNow + $Timeout
    while ($true) {
        $line = Get-Content $log -ErrorAction SilentlyContinue | Select-String 'proxy listening on 127\.0\.0\.1:(\d+) seed' | Select-Object -First 1
        if ($line) { break }
        if ($process.WaitForExit(100)) { throw "The proxy exited early: $(Get-Content -Raw $log) $(Get-Content -Raw "$base.err")" }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The proxy did not say where it listens within $Timeout." }
    }
    [pscustomobject]@{
        Process = $process
        Log     = $log
        Error   = "$base.err"
        Seed    = $Seed
        Port    = [int]$line.Matches[0].Groups[1].Value
    }
}

function Get-TestProxyFaults($Proxy) {
    <# Counts the faults the proxy has logged so far, by kind. #>
    $lines = @(Get-Content $Proxy.Log -ErrorAction SilentlyContinue | Select-String '^fault \d+: (cut|stall|flip) ')
    [pscustomobject]@{
        Cut   = @($lines | Where-Object { $_.Matches[0].Groups[1].Value -eq 'cut' }).Count
        Stall = @($lines | Where-Object { $_.Matches[0].Groups[1].Value -eq 'stall' }).Count
        Flip  = @($lines | Where-Object { $_.Matches[0].Groups[1].Value -eq 'flip' }).Count
        Total = $lines.Count
    }
}

function Stop-TestProxy($Proxy) {
    if (-not $Proxy) { return }
    if (-not $Proxy.Process.HasExited) { $Proxy.Process.Kill(); $Proxy.Process.WaitForExit() }
    Remove-Item $Proxy.Log, $Proxy.Error -Force -ErrorAction SilentlyContinue
}
