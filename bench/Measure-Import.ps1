#Requires -Version 7.2
<#
.SYNOPSIS
    What Import-Module PSSocketFtp costs over a bare pwsh start, beside Microsoft's PSResourceGet (a binary module that
    ships with pwsh), in the pwsh at hand and in the same pwsh compiled ahead of time (issue 11, "Import-Module").
.DESCRIPTION
    The pwsh of this repository's tool manifest (`dotnet pwsh`, PowerShell as a NuGet dotnet tool) is IL only: every
    method of PowerShell's module machinery is compiled by the JIT on first use, which the PowerShell packages users
    install (deb, rpm, msi, zip) avoid by shipping System.Management.Automation and the other PowerShell assemblies
    ReadyToRun-compiled. With -ReadyToRun this script makes such a copy of the tool's pwsh (crossgen2 from the
    Microsoft.NETCore.App.Crossgen2 package, restored through a scratch project) and times both.

    Each case is a new process, the cases take turns, -Runs rounds; medians of wall time and of CPU time (user+system,
    from bash's `time`, less sensitive to a busy machine than wall time). Linux; not part of CI.
.EXAMPLE
    dotnet pwsh bench/Measure-Import.ps1
.EXAMPLE
    dotnet pwsh bench/Measure-Import.ps1 -ReadyToRun -Runs 9
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 50)] [int] $Runs = 7,
    [switch] $ReadyToRun,
    [string] $Module
)

$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot
if (-not $Module) { $Module = Join-Path $repo 'artifacts/module/PSSocketFtp/PSSocketFtp.psd1' }
if (-not (Test-Path -LiteralPath $Module)) { throw "No module at ${Module}: run ./build.ps1 first." }

# The pwsh.dll this process runs: the tool's.
$toolPwsh = Join-Path ([IO.Path]::GetDirectoryName([Diagnostics.Process]::GetCurrentProcess().MainModule.FileName)) 'pwsh.dll'
if (-not (Test-Path -LiteralPath $toolPwsh)) { $toolPwsh = Join-Path $PSHOME 'pwsh.dll' }
$hosts = [ordered]@{ 'pwsh (tool, IL)' = $toolPwsh }

if ($ReadyToRun) {
    $work = Join-Path ([IO.Path]::GetTempPath()) 'psftp-import-r2r'
    $copy = Join-Path $work 'pwsh'
    if (-not (Test-Path -LiteralPath (Join-Path $copy 'r2r.done'))) {
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
        $scratch = New-Item -ItemType Directory (Join-Path $work 'scratch')
        # A ReadyToRun publish of an empty program restores the crossgen2 package for this SDK's runtime.
        Set-Content -LiteralPath (Join-Path $scratch 'scratch.csproj') '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>'
        Set-Content -LiteralPath (Join-Path $scratch 'Program.cs') 'System.Console.WriteLine();'
        dotnet publish $scratch.FullName -r linux-x64 -p:PublishReadyToRun=true -nologo | Out-Null
        if ($LASTEXITCODE -ne 0) { throw 'Could not restore crossgen2 (Microsoft.NETCore.App.Crossgen2.linux-x64).' }
        $crossgen = Get-ChildItem -LiteralPath (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/microsoft.netcore.app.crossgen2.linux-x64') -Recurse -Filter crossgen2 -File |
            Sort-Object FullName -Descending | Select-Object -First 1
        $framework = Split-Path -Parent ([object].Assembly.Location)
        Copy-Item -LiteralPath (Split-Path -Parent $toolPwsh) -Destination $copy -Recurse
        foreach ($name in 'System.Management.Automation', 'Microsoft.PowerShell.ConsoleHost', 'Microsoft.PowerShell.Commands.Utility',
            'Microsoft.PowerShell.Commands.Management', 'Microsoft.PowerShell.Security', 'pwsh') {
            $source = Join-Path (Split-Path -Parent $toolPwsh) "$name.dll"
            & $crossgen.FullName $source -o (Join-Path $copy "$name.dll") -r "$framework/*.dll" -r "$(Split-Path -Parent $toolPwsh)/*.dll" --targetos linux --targetarch x64 -O | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "crossgen2 failed on $name.dll." }
        }
        Set-Content -LiteralPath (Join-Path $copy 'r2r.done') ''
    }
    $hosts['pwsh (ReadyToRun)'] = Join-Path $copy 'pwsh.dll'
}

$cases = [ordered]@{
    'bare start' = 'exit 0'
    'Import-Module PSSocketFtp' = "Import-Module '$($Module -replace "'", "''")'; exit 0"
    'Import-Module PSResourceGet' = 'Import-Module Microsoft.PowerShell.PSResourceGet; exit 0'
}

function Measure-Start([string] $Pwsh, [string] $Command) {
    # Through bash's `time`: wall, user and system seconds of the process and all it waited for.
    $info = [Diagnostics.ProcessStartInfo]::new('bash')
    foreach ($argument in '-c', 'TIMEFORMAT="%R %U %S"; time dotnet "$0" -NoProfile -NonInteractive -Command "$1" >/dev/null', $Pwsh, $Command) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardError = $true
    $process = [Diagnostics.Process]::Start($info)
    $errors = $process.StandardError.ReadToEnd()
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "$Pwsh -Command $Command exited with $($process.ExitCode): $errors" }
    $real, $user, $system = [double[]](($errors.Trim() -split "`n")[-1] -split ' ')
    [pscustomobject]@{ Wall = $real * 1000; Cpu = ($user + $system) * 1000 }
}

$samples = @{}
foreach ($pwsh in $hosts.Keys) { foreach ($case in $cases.Keys) { $samples["$pwsh|$case"] = [Collections.Generic.List[object]]::new() } }
foreach ($pwsh in $hosts.Keys) { $null = Measure-Start $hosts[$pwsh] 'exit 0' }  # the files into the page cache
for ($run = 0; $run -lt $Runs; $run++) {
    foreach ($pwsh in $hosts.Keys) {
        foreach ($case in $cases.Keys) { $samples["$pwsh|$case"].Add((Measure-Start $hosts[$pwsh] $cases[$case])) }
    }
}

function Get-Median([double[]] $Values) { $sorted = $Values | Sort-Object; $sorted[[int][math]::Floor($sorted.Count / 2)] }
$rows = foreach ($pwsh in $hosts.Keys) {
    $bare = $samples["$pwsh|bare start"]
    foreach ($case in $cases.Keys) {
        $s = $samples["$pwsh|$case"]
        $wall = Get-Median $s.Wall
        $cpu = Get-Median $s.Cpu
        [pscustomobject]@{
            Pwsh = $pwsh
            Case = $case
            'Wall ms' = [int]($wall)
            'Over bare, wall' = if ($case -ne 'bare start') { [int]($wall - (Get-Median $bare.Wall)) }
            'CPU ms' = [int]($cpu)
            'Over bare, CPU' = if ($case -ne 'bare start') { [int]($cpu - (Get-Median $bare.Cpu)) }
        }
    }
}
$rows | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
Write-Host "Medians of $Runs runs each, the cases taking turns; load average at the end: $((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3)"
