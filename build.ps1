#Requires -Version 7.2
<#
.SYNOPSIS
    Builds and tests PSSocketFtp.
.DESCRIPTION
    Build: builds the solution; the importable module lands in artifacts/module/PSSocketFtp.
    Test:  builds, runs every xunit test project and every Pester test in tests/Pester against the
           built module and a real server process, and ends with one line "N passed, N failed".
    Clean: removes build output.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$repo = $PSScriptRoot
$artifacts = Join-Path $repo 'artifacts'
$solution = Join-Path $repo 'PSSocketFtp.sln'
. (Join-Path $repo 'tests/TestResults.ps1')

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code $LASTEXITCODE." }
}

function Invoke-SolutionBuild {
    Invoke-Native 'dotnet build' { dotnet build $solution -c $Configuration -nologo }
}

function Get-PesterModulePath {
    # Pester is a NuGet package restored by tests/tools; MSBuild knows where the restore put it.
    $tools = Join-Path $repo 'tests/tools/Tools.csproj'
    Invoke-Native 'restoring Pester' { dotnet restore $tools -nologo | Out-Host }
    $line = dotnet msbuild $tools -t:PrintPesterPath -nologo | Select-String 'PESTER_PATH=(.+)$'
    if (-not $line) { throw 'Could not find where NuGet restored Pester.' }
    Join-Path $line.Matches[0].Groups[1].Value.Trim() 'tools/Pester.psd1'
}

function Invoke-AllTests {
    Invoke-SolutionBuild
    $results = Join-Path $artifacts 'test-results'
    Remove-Item -LiteralPath $results -Recurse -Force -ErrorAction SilentlyContinue

    # xunit: a failing test fails dotnet test; keep going so that Pester runs and the totals are complete.
    # A hung test fails with a small dump after five minutes without an end (the 4 GiB transfer test takes up to three
    # on a busy 2-core machine), instead of holding the run until CI's limit.
    dotnet test $solution -c $Configuration --no-build -nologo --blame-hang-timeout 5m --blame-hang-dump-type mini --logger 'trx' --logger 'console;verbosity=normal' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $xunit = Get-TrxCounts $results

    $pesterPath = Get-PesterModulePath
    $env:PSSOCKETFTP_MODULE = Join-Path $artifacts 'module/PSSocketFtp/PSSocketFtp.psd1'
    $env:PSSOCKETFTP_SERVER = (Get-ChildItem -LiteralPath (Join-Path $repo "src/PSSocketFtp.Server/bin/$Configuration") -Recurse -Filter PSSocketFtp.Server.dll | Select-Object -First 1).FullName
    # A child process, so the module under test loads into a clean PowerShell, as a user's would.
    Push-Location -LiteralPath $repo
    try {
        $pesterOutput = dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $repo 'tests/Invoke-PesterTests.ps1') -PesterPath $pesterPath -TestPath (Join-Path $repo 'tests/Pester') -ResultFile (Join-Path $results 'pester.xml')
    } finally {
        Pop-Location
    }
    $pesterOutput | Where-Object { $_ -notmatch '^PESTER_COUNTS=' } | Out-Host
    $counts = ($pesterOutput | Select-String '^PESTER_COUNTS=(\d+),(\d+)$' | Select-Object -Last 1)
    if ($counts) {
        $pester = [pscustomobject]@{ Passed = [int]$counts.Matches[0].Groups[1].Value; Failed = [int]$counts.Matches[0].Groups[2].Value }
    } else {
        Write-Warning 'Pester did not report its counts; counting the run as one failure.'
        $pester = [pscustomobject]@{ Passed = 0; Failed = 1 }
    }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $failed++ }  # dotnet test failed without a failing test: a crash or a build break
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Clean {
    Invoke-Native 'dotnet clean' { dotnet clean $solution -c $Configuration -nologo | Out-Null }
    Remove-Item -LiteralPath $artifacts -Recurse -Force -ErrorAction SilentlyContinue
}

switch ($Task) {
    'Build' { Invoke-SolutionBuild }
    'Test' { Invoke-AllTests }
    'Clean' { Invoke-Clean }
}
