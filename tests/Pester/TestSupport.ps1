# Shared by the Pester files: where the built module and server are, and a real server process per file.
$script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifest = if ($env:PSSOCKETFTP_MODULE) { $env:PSSOCKETFTP_MODULE } else { Join-Path $RepoRoot 'artifacts/module/PSSocketFtp/PSSocketFtp.psd1' }

function Get-ServerAssembly {
    # A framework-dependent PSSocketFtp.Server.dll, or the native server (./build.ps1 -Task Package), which runs the same files.
    if ($env:PSSOCKETFTP_SERVER) { return $env:PSSOCKETFTP_SERVER }
    $found = Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'src/PSSocketFtp.Server/bin') -Recurse -Filter PSSocketFtp.Server.dll -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $found) { throw 'The server is not built: run ./build.ps1 first.' }
    $found.FullName
}

function Get-ServerCommand {
    <# The program and first arguments that run the server: 'dotnet <dll>', or the native server on its own. #>
    $server = Get-ServerAssembly
    if ($server -like '*.dll') { 'dotnet', $server } else { , $server }
}

function Start-LoggedProcess {
    <#
    Starts the program that ArgumentList begins with, with the rest as its arguments, its output in <Base>.log and <Base>.err and waits until a line of the log
    matches $Ready; returns the process, that match and the log copies for Stop-LoggedProcess. Not Start-Process: it
    takes redirection paths as wildcards, even relative or escaped ones (a temporary folder with '[' could hold no log),
    and joins its arguments unquoted.
    #>
    param([string] $Base, [string[]] $ArgumentList, [string] $Ready, [string] $What, [TimeSpan] $Timeout)
    $info = [Diagnostics.ProcessStartInfo]::new($ArgumentList[0])
    foreach ($argument in $ArgumentList | Select-Object -Skip 1) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($info)
    $copies = foreach ($stream in @{ log = $process.StandardOutput; err = $process.StandardError }.GetEnumerator()) {
        # Unbuffered, so that each line is in the file once the process has written it.
        $file = [IO.FileStream]::new("$Base.$($stream.Key)", 'Create', 'Write', 'ReadWrite', 1)
        [pscustomobject]@{ File = $file; Task = $stream.Value.BaseStream.CopyToAsync($file) }
    }
    $log = "$Base.log"
    $deadline = [DateTime]::UtcNow + $Timeout
    while ($true) {
        $line = Get-Content -LiteralPath $log -ErrorAction SilentlyContinue | Select-String $Ready | Select-Object -First 1
        if ($line) { return [pscustomobject]@{ Process = $process; Match = $line.Matches[0]; Copies = $copies } }
        # WaitForExit doubles as the pause between looks and notices a process that died.
        if ($process.WaitForExit(100)) {
            Stop-LoggedProcess $process $copies
            throw "The $What exited early: $(Get-Content -Raw -LiteralPath $log) $(Get-Content -Raw -LiteralPath "$Base.err")"
        }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The $What did not say where it listens within $Timeout." }
    }
}

function Stop-LoggedProcess([Diagnostics.Process] $Process, $Copies) {
    <# Kills a process of Start-LoggedProcess and closes its log files, once everything it wrote is in them. #>
    if (-not $Process.HasExited) { $Process.Kill(); $Process.WaitForExit() }
    foreach ($copy in $Copies) {
        $null = $copy.Task.Wait([TimeSpan]::FromSeconds(10))
        $copy.File.Dispose()
    }
}

function Start-TestServer {
    <# Starts the real server process on an ephemeral port with a fresh root and returns its details; -ArgumentList adds switches. #>
    param([TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60), [string[]] $ArgumentList = @())
    $root = Join-Path ([IO.Path]::GetTempPath()) ("psftp-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $started = Start-LoggedProcess -Base $root -ArgumentList (@(Get-ServerCommand) + @('--root', $root, '--port', '0') + $ArgumentList) `
        -Ready 'listening on (.+):(\d+)' -What 'server' -Timeout $Timeout
    [pscustomobject]@{
        Process = $started.Process
        Root    = $root
        Log     = "$root.log"
        Port    = [int]$started.Match.Groups[2].Value
        Copies  = $started.Copies
    }
}

function New-TestCertificate([string] $Path) {
    <# A self-signed certificate of the test's own, as a PFX with a password at $Path; returns Path, Password, Thumbprint. #>
    $key = [Security.Cryptography.RSA]::Create(2048)
    try {
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key,
            [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(7))
        try {
            [IO.File]::WriteAllBytes($Path, $certificate.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pfx, 'pfx-pw'))
            [pscustomobject]@{ Path = $Path; Password = 'pfx-pw'; Thumbprint = $certificate.Thumbprint }
        } finally {
            $certificate.Dispose()
        }
    } finally {
        $key.Dispose()
    }
}

function Stop-TestServer($Server) {
    if (-not $Server) { return }
    Stop-LoggedProcess $Server.Process $Server.Copies
    Remove-Item -LiteralPath $Server.Root, $Server.Log, "$($Server.Root).err" -Recurse -Force -ErrorAction SilentlyContinue
}

function New-TestFile([string] $Path, [int] $Length, [int] $Seed = 1) {
    <# Writes $Length random bytes to the literal $Path (a PowerShell path: TestDrive:/… too) and returns the file. #>
    $Path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    $bytes = [byte[]]::new($Length)
    [Random]::new($Seed).NextBytes($bytes)
    [IO.File]::WriteAllBytes($Path, $bytes)
    Get-Item -LiteralPath $Path
}

function Get-FaultProxyAssembly {
    if ($env:PSSOCKETFTP_FAULTPROXY) { return $env:PSSOCKETFTP_FAULTPROXY }
    $found = Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'tests/PSSocketFtp.FaultProxy/bin') -Recurse -Filter PSSocketFtp.FaultProxy.dll -ErrorAction SilentlyContinue |
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
    $arguments = @('dotnet', (Get-FaultProxyAssembly), '--target', "127.0.0.1:$TargetPort", '--seed', $Seed) + $ProxyArgs
    $started = Start-LoggedProcess -Base $base -ArgumentList $arguments -Ready 'proxy listening on 127\.0\.0\.1:(\d+) seed' -What 'proxy' -Timeout $Timeout
    [pscustomobject]@{
        Process = $started.Process
        Log     = "$base.log"
        Error   = "$base.err"
        Seed    = $Seed
        Port    = [int]$started.Match.Groups[1].Value
        Copies  = $started.Copies
    }
}

function Get-TestProxyFaults($Proxy) {
    <# Counts the faults the proxy has logged so far, by kind. #>
    $lines = @(Get-Content -LiteralPath $Proxy.Log -ErrorAction SilentlyContinue | Select-String '^fault \d+: (cut|stall|flip) ')
    [pscustomobject]@{
        Cut   = @($lines | Where-Object { $_.Matches[0].Groups[1].Value -eq 'cut' }).Count
        Stall = @($lines | Where-Object { $_.Matches[0].Groups[1].Value -eq 'stall' }).Count
        Flip  = @($lines | Where-Object { $_.Matches[0].Groups[1].Value -eq 'flip' }).Count
        Total = $lines.Count
    }
}

function Stop-TestProxy($Proxy) {
    if (-not $Proxy) { return }
    Stop-LoggedProcess $Proxy.Process $Proxy.Copies
    Remove-Item -LiteralPath $Proxy.Log, $Proxy.Error -Force -ErrorAction SilentlyContinue
}

function Get-ServerPath([string] $RemotePath) {
    <# Where the file's own test server (its $Server) keeps the remote path. #>
    Join-Path $Server.Root $RemotePath.TrimStart('/')
}

function Get-Tree([string] $Folder, [switch] $WithTime) {
    <#
    Each item below a folder as 'relative/path' (folders end with '/') and, for files, its SHA256 (and with -WithTime
    its LastWriteTime in whole seconds): two trees are the same when these lists are. .NET calls rather than
    Get-ChildItem, Get-FileHash and a pipeline, which take seconds over thousands of files.
    #>
    $options = [IO.EnumerationOptions]@{ RecurseSubdirectories = $true; AttributesToSkip = 0 }
    $items = foreach ($path in [IO.Directory]::EnumerateFileSystemEntries($Folder, '*', $options)) {
        $relative = [IO.Path]::GetRelativePath($Folder, $path).Replace('\', '/')
        if ([IO.Directory]::Exists($path)) { "$relative/"; continue }
        $line = "$relative $([Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($path))))"
        if ($WithTime) { $line += " $([Math]::Floor([IO.File]::GetLastWriteTimeUtc($path).Ticks / [TimeSpan]::TicksPerSecond))" }
        $line
    }
    $sorted = [string[]] $items
    if ($sorted) { [Array]::Sort($sorted, [StringComparer]::Ordinal) }
    $sorted
}

function New-SampleTree([string] $Folder) {
    <# A tree with nested and empty folders, spaces and letters beyond ASCII in its names; returns the folder. #>
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $Folder 'a/b c/ünïcödé ñ'), (Join-Path $Folder 'empty'), (Join-Path $Folder 'a/also empty/deeper')
    New-TestFile (Join-Path $Folder 'top.txt') 10 1 | Out-Null
    New-TestFile (Join-Path $Folder 'a/one.bin') 3000 2 | Out-Null
    New-TestFile (Join-Path $Folder 'a/b c/with space.txt') 77 3 | Out-Null
    New-TestFile (Join-Path $Folder 'a/b c/ünïcödé ñ/日本語.dat') 1234 4 | Out-Null
    New-TestFile (Join-Path $Folder 'a/b c/ünïcödé ñ/zero.bin') 0 5 | Out-Null
    Get-Item -LiteralPath $Folder
}
