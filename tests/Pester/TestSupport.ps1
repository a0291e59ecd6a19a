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
