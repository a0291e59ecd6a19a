#Requires -Version 7.2
<#
.SYNOPSIS
    Builds and tests PSSocketFtp.
.DESCRIPTION
    Build: builds the solution; the importable module lands in artifacts/module/PSSocketFtp.
    Test:  builds, runs every xunit test project and every Pester test in tests/Pester against the
           built module and a real server process, and ends with one line "N passed, N failed". The S3 store's
           tests run where Ceph is installed and are skipped, saying why, where it is not.
    TestScaleOut: the S3 store's tests and those of three servers behind HAProxy, on the real engines, which it
           installs where they are missing (root; docs/scale-out.md, "Tests").
    Package: a Release build packed into artifacts/packages: the module as PSSocketFtp.<version>.nupkg (for
           Install-PSResource from a repository holding it) and the server as the .NET tool
           PSSocketFtp.Server.<version>.nupkg (command pssocketftp-server); on Linux x64 also the native server,
           pssocketftp-server-<version>-linux-x64.tar.gz. Needs no network.
    NativeServer: the server compiled ahead of time (Native AOT) for Linux x64, one file that needs no .NET runtime,
           into artifacts/server/linux-x64/pssocketftp-server.
    Clean: removes build output.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'TestScaleOut', 'Package', 'NativeServer', 'Clean')]
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

function Start-Child([string] $FileName, [string[]] $ArgumentList, [switch] $CaptureOutput) {
    <#
    Starts a process in the background from the repository's folder (where `dotnet pwsh` finds the local tool), each
    argument passed whole. With -CaptureOutput its standard output is read into .Output (a task), else it shares ours.
    #>
    $info = [Diagnostics.ProcessStartInfo]::new($FileName)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    $info.WorkingDirectory = $repo
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = [bool] $CaptureOutput
    $process = [Diagnostics.Process]::Start($info)
    [pscustomobject]@{ Process = $process; Output = if ($CaptureOutput) { $process.StandardOutput.ReadToEndAsync() } }
}

function ConvertTo-MSBuildPath([string] $Path) {
    # Escaped as MSBuild escapes (%XX), so that a repository path with ; $ @ % or the like stays one literal path.
    [regex]::Replace($Path, "[%;`$@'()*?,]", { '%{0:X2}' -f [int][char]$args[0].Value })
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

    # Three streams run side by side, since none of them keeps both cores busy on its own (each waits on servers,
    # sockets and process starts much of the time): xunit, the Pester files one after the other, and the package build
    # that Package.Tests needs (the longest part of the Pester run), which Package.Tests waits for.
    $packageBuild = Join-Path $artifacts 'package-build'
    Remove-Item -LiteralPath $packageBuild -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $packageBuild | Out-Null
    $env:PSSOCKETFTP_PACKAGE_BUILD = $packageBuild
    $packageChild = Start-Child 'dotnet' @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $repo 'tests/Invoke-PackageBuild.ps1'), '-Folder', $packageBuild)

    # xunit: a failing test fails dotnet test; keep going so that Pester runs and the totals are complete. Its output is
    # shown after Pester's, whole, rather than interleaved with it.
    # A hung test fails with a small dump after five minutes without an end (the 4 GiB transfer test takes up to three
    # on a busy 2-core machine), instead of holding the run until CI's limit.
    # The S3 store's tests run against a Ceph that is installed already (they start it, and stop it again) and are
    # skipped, saying why, where it is not: CI never spends minutes installing it. The tests of three server
    # processes behind HAProxy are TestScaleOut's, which installs what is missing (docs/scale-out.md, "Tests").
    $env:PSSOCKETFTP_CEPH_NO_INSTALL = '1'
    try {
        $xunitChild = Start-Child 'dotnet' @('test', $solution, '-c', $Configuration, '--no-build', '-nologo', '--filter', 'FullyQualifiedName!~.ScaleOut', '--blame-hang-timeout', '5m', '--blame-hang-dump-type', 'mini', '--logger', 'trx', '--logger', 'console;verbosity=normal', '--results-directory', $results) -CaptureOutput
    } finally {
        Remove-Item Env:PSSOCKETFTP_CEPH_NO_INSTALL
    }

    $pesterPath = Get-PesterModulePath
    $env:PSSOCKETFTP_MODULE = Join-Path $artifacts 'module/PSSocketFtp/PSSocketFtp.psd1'
    $env:PSSOCKETFTP_SERVER = (Get-ChildItem -LiteralPath (Join-Path $repo "src/PSSocketFtp.Server/bin/$Configuration") -Recurse -Filter PSSocketFtp.Server.dll | Select-Object -First 1).FullName
    # A child process, so the module under test loads into a clean PowerShell, as a user's would.
    Push-Location -LiteralPath $repo
    try {
        $pesterOutput = dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $repo 'tests/Invoke-PesterTests.ps1') -PesterPath $pesterPath -TestPath (Join-Path $repo 'tests/Pester') -ResultFile (Join-Path $results 'pester.xml')
    } finally {
        Pop-Location
        $packageChild.Process.WaitForExit()  # no build left running if Pester ended before Package.Tests
        $xunitChild.Process.WaitForExit()
    }
    $xunitChild.Output.GetAwaiter().GetResult() | Out-Host
    $xunitExit = $xunitChild.Process.ExitCode
    $xunit = Get-TrxCounts $results
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

function Invoke-ScaleOutTests {
    # Every test of the S3 store and of three servers behind HAProxy, against the real engines: installs Ceph and
    # HAProxy where they are missing (root), starts them, and stops what it started. Not in Test (see there).
    Invoke-SolutionBuild
    $results = Join-Path $artifacts 'test-results-scaleout'
    Remove-Item -LiteralPath $results -Recurse -Force -ErrorAction SilentlyContinue
    dotnet test (Join-Path $repo 'tests/PSSocketFtp.S3.Tests') -c $Configuration --no-build -nologo --blame-hang-timeout 5m --blame-hang-dump-type mini --logger 'trx' --logger 'console;verbosity=normal' --results-directory $results
    $exit = $LASTEXITCODE
    $counts = Get-TrxCounts $results
    Write-Host "$($counts.Passed) passed, $($counts.Failed) failed"
    if ($exit -ne 0 -or $counts.Failed -gt 0 -or $counts.Passed -eq 0) { exit 1 }
}

function Invoke-Package {
    # Always Release, laid out apart from artifacts/module (a Debug layout there keeps its symbols for the tests).
    $packages = Join-Path $artifacts 'packages'
    $staging = Join-Path $artifacts 'package-staging'
    $module = Join-Path $staging 'PSSocketFtp'
    Remove-Item -LiteralPath $packages, $staging -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $packages, $staging | Out-Null
    $layout = "-p:ModuleOutputPath=$(ConvertTo-MSBuildPath ($module + [IO.Path]::DirectorySeparatorChar))"
    # On Linux x64 the native server too, one file to deploy on a host without the .NET runtime. Its compile is the
    # longest step and builds apart from the others, so it runs beside them (each mostly busies one core).
    $nativeBuild = if (Test-NativeServerPlatform) { Start-NativeServerBuild }
    # The help compiler builds the cmdlets first and writes the compiled help into the layout; the server copies
    # itself into the layout's server/ folder.
    foreach ($project in 'build/PSSocketFtp.HelpCompiler', 'src/PSSocketFtp.Server') {
        Invoke-Native "dotnet build $project" { dotnet build (Join-Path $repo $project) -c Release -nologo $layout }
    }
    Invoke-Native 'dotnet pack' { dotnet pack (Join-Path $repo 'src/PSSocketFtp.Server') -c Release --no-build -nologo -o $packages $layout }

    $unwanted = Get-ChildItem -LiteralPath $module -Recurse -File | Where-Object { $_.Extension -eq '.pdb' -or $_.Name -match '\.Tests?\.' }
    if ($unwanted) { throw "The Release layout holds files a package must not ship: $($unwanted.FullName -join ', ')" }

    # Publish-PSResource packs the folder into PSSocketFtp.<version>.nupkg in a repository: a temporary folder one,
    # under a name of its own and unregistered whatever happens, so that the user's repositories are left as they were.
    $repository = Join-Path $staging 'repository'
    New-Item -ItemType Directory -Force -Path $repository | Out-Null
    $name = "PSSocketFtp-Package-$([guid]::NewGuid().ToString('N'))"
    Register-PSResourceRepository -Name $name -Uri $repository -Trusted
    try {
        Publish-PSResource -Path $module -Repository $name
    } finally {
        Unregister-PSResourceRepository -Name $name
    }
    Get-ChildItem -LiteralPath $repository -Filter 'PSSocketFtp.*.nupkg' | Move-Item -Destination $packages

    if ($nativeBuild) {
        $version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $repo 'Directory.Build.props'))).Project.PropertyGroup[0].Version
        $native = Complete-NativeServerBuild $nativeBuild
        Invoke-Native 'tar' { tar -czf (Join-Path $packages "pssocketftp-server-$version-linux-x64.tar.gz") -C $native pssocketftp-server }
    }
    Get-ChildItem -LiteralPath $packages -File | ForEach-Object { Write-Host "$($_.FullName) ($([math]::Round($_.Length / 1KB)) KiB)" }
}

function Test-NativeServerPlatform {
    $IsLinux -and [Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
}

function Start-NativeServerBuild {
    <#
    Starts compiling the server ahead of time (Native AOT) into artifacts/server/linux-x64/pssocketftp-server: it needs
    no .NET runtime, starts in a fraction of the time and holds under half the memory of the framework-dependent one
    (docs/performance.md, "Memory"). Returns the running `dotnet publish`, for Complete-NativeServerBuild.
    #>
    if (-not (Test-NativeServerPlatform)) { throw 'The native server is built for Linux x64 only, on Linux x64.' }
    $native = Join-Path $artifacts 'server/linux-x64'
    Remove-Item -LiteralPath $native -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $native | Out-Null
    # Every project of this build (the server and the protocol it references) gets its own bin and obj under
    # artifacts/server/aot: nothing native lands beside the server the module carries, and no file is shared with a
    # build running at the same time.
    $aot = ConvertTo-MSBuildPath (Join-Path $artifacts 'server/aot')
    $arguments = @('publish', (Join-Path $repo 'src/PSSocketFtp.Server'), '-c', 'Release', '-r', 'linux-x64', '-nologo',
        '-p:NativeServer=true', '-p:UseArtifactsOutput=true', "-p:ArtifactsPath=$aot", '-o', $native)
    $child = Start-Child 'dotnet' $arguments -CaptureOutput
    [pscustomobject]@{ Process = $child.Process; Output = $child.Output; Folder = $native }
}

function Complete-NativeServerBuild($Build) {
    <# Waits for Start-NativeServerBuild's publish, shows its output, names the binary pssocketftp-server; returns the folder. #>
    $Build.Process.WaitForExit()
    $Build.Output.Result | Out-Host
    if ($Build.Process.ExitCode -ne 0) { throw "dotnet publish (native server) failed with exit code $($Build.Process.ExitCode)." }
    Move-Item -LiteralPath (Join-Path $Build.Folder 'PSSocketFtp.Server') -Destination (Join-Path $Build.Folder 'pssocketftp-server')
    Write-Host (Join-Path $Build.Folder 'pssocketftp-server')
    $Build.Folder
}

function Invoke-Clean {
    Invoke-Native 'dotnet clean' { dotnet clean $solution -c $Configuration -nologo | Out-Null }
    Remove-Item -LiteralPath $artifacts -Recurse -Force -ErrorAction SilentlyContinue
}

switch ($Task) {
    'Build' { Invoke-SolutionBuild }
    'Test' { Invoke-AllTests }
    'TestScaleOut' { Invoke-ScaleOutTests }
    'Package' { Invoke-Package }
    'NativeServer' { $null = Complete-NativeServerBuild (Start-NativeServerBuild) }
    'Clean' { Invoke-Clean }
}
