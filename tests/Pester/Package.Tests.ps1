#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The packages of `./build.ps1 -Task Package`, used as a new user would: the module from a repository into an empty
# module path, imported in a fresh pwsh that starts the server the module carries; the server as a .NET tool; on
# Linux x64 the native server, which the module drives through users, TLS and a transfer.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $script:Version = ([xml](Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props'))).Project.PropertyGroup[0].Version
    $script:Packages = Join-Path $RepoRoot 'artifacts/packages'
    $script:ModulePackage = Join-Path $Packages "PSSocketFtp.$Version.nupkg"
    $script:ToolPackage = Join-Path $Packages "PSSocketFtp.Server.$Version.nupkg"

    function Invoke-Child([string] $FileName, [string[]] $ArgumentList, [hashtable] $Environment = @{}, [int] $Seconds = 300) {
        <# Runs a process to its end with its output captured; $null in $Environment removes a variable. #>
        $info = [Diagnostics.ProcessStartInfo]::new($FileName)
        foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
        $info.WorkingDirectory = $RepoRoot
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        foreach ($variable in $Environment.GetEnumerator()) {
            if ($null -eq $variable.Value) { $null = $info.Environment.Remove($variable.Key) } else { $info.Environment[$variable.Key] = $variable.Value }
        }
        $process = [Diagnostics.Process]::Start($info)
        $output = $process.StandardOutput.ReadToEndAsync()
        $errors = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($Seconds * 1000)) { $process.Kill($true); throw "$FileName $ArgumentList did not end within $Seconds s." }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output.Result; Error = $errors.Result }
    }

    function Get-PackageEntry([string] $Package) {
        $zip = [IO.Compression.ZipFile]::OpenRead($Package)
        try { $zip.Entries.FullName } finally { $zip.Dispose() }
    }

    # The packages are made from this tree, in a fresh PowerShell as a user would run the task: by `build.ps1 -Task Test`
    # beside the Pester files before this one (tests/Invoke-PackageBuild.ps1), or here when this file runs alone.
    if ($env:PSSOCKETFTP_PACKAGE_BUILD) {
        $exitCode = Join-Path $env:PSSOCKETFTP_PACKAGE_BUILD 'exit-code'
        $deadline = [DateTime]::UtcNow.AddSeconds(900)
        while (-not (Test-Path -LiteralPath $exitCode)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "build.ps1 -Task Package did not end within 900 s (log: $env:PSSOCKETFTP_PACKAGE_BUILD)." }
            Start-Sleep -Milliseconds 500
        }
        $build = [pscustomobject]@{
            ExitCode = [int](Get-Content -Raw -LiteralPath $exitCode)
            Output = Get-Content -Raw -LiteralPath (Join-Path $env:PSSOCKETFTP_PACKAGE_BUILD 'build.log')
            Error = ''
        }
    } else {
        $build = Invoke-Child 'dotnet' @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'build.ps1'), '-Task', 'Package') -Seconds 900
    }
    if ($build.ExitCode -ne 0) { throw "build.ps1 -Task Package failed ($($build.ExitCode)): $($build.Output) $($build.Error)" }
}

Describe 'build.ps1 -Task Package' {
    It 'leaves the module package with the module, its help, dependencies and server, and no symbols or tests' {
        $entries = Get-PackageEntry $ModulePackage
        foreach ($expected in 'PSSocketFtp.psd1', 'PSSocketFtp.Commands.dll', 'PSSocketFtp.format.ps1xml', 'PSSocketFtp.types.ps1xml', 'LICENSE',
            'en-US/PSSocketFtp.Commands.dll-Help.xml', 'en-US/about_PSSocketFtp.help.txt', 'dependencies/PSSocketFtp.Client.dll',
            'dependencies/net8.0/System.IO.Hashing.dll', 'server/PSSocketFtp.Server.dll', 'server/PSSocketFtp.Server.runtimeconfig.json') {
            $entries | Should -Contain $expected
        }
        $entries | Where-Object { $_ -like '*.pdb' -or $_ -match 'Tests?[./]|Pester|FaultProxy|xunit' } | Should -BeNullOrEmpty
    }

    It 'gives the module a complete manifest: version, project, license, release notes, tags' {
        $zip = [IO.Compression.ZipFile]::OpenRead($ModulePackage)
        try {
            $manifestFile = Join-Path $TestDrive 'PSSocketFtp.psd1'
            [IO.Compression.ZipFileExtensions]::ExtractToFile($zip.GetEntry('PSSocketFtp.psd1'), $manifestFile, $true)
        } finally { $zip.Dispose() }
        $manifest = Import-PowerShellDataFile -LiteralPath $manifestFile
        $manifest.ModuleVersion | Should -Be $Version
        $manifest.Author | Should -Not -BeNullOrEmpty
        $manifest.Description | Should -Not -BeNullOrEmpty
        $data = $manifest.PrivateData.PSData
        $data.ProjectUri | Should -Match '^https://'
        $data.LicenseUri | Should -Match '^https://.*LICENSE$'
        $data.ReleaseNotes | Should -Match 'CHANGELOG'
        $data.Tags | Should -Contain 'FTP'
        $data.Values -join ' ' | Should -Not -Match '@\w+@'  # every placeholder replaced
    }

    It 'leaves the server as a .NET tool package without symbols, the same files as the module carries' {
        $entries = Get-PackageEntry $ToolPackage
        $entries | Should -Contain 'tools/net10.0/any/DotnetToolSettings.xml'
        $entries | Should -Contain 'tools/net10.0/any/PSSocketFtp.Server.dll'
        $entries | Where-Object { $_ -like '*.pdb' } | Should -BeNullOrEmpty
        $tool = $entries -like 'tools/net10.0/any/*' -replace '^tools/net10.0/any/' -ne 'DotnetToolSettings.xml' | Sort-Object
        $inModule = (Get-PackageEntry $ModulePackage) -like 'server/*' -replace '^server/' | Sort-Object
        $inModule | Should -Be $tool
    }
}

Describe 'The installed module' {
    It 'installs from a temporary repository into an empty module path and, imported in a fresh pwsh, starts its own server and transfers a file' {
        $repository = New-Item -ItemType Directory (Join-Path $TestDrive 'repository')
        $modules = New-Item -ItemType Directory (Join-Path $TestDrive 'modules')
        $name = "PSSocketFtp-Test-$([guid]::NewGuid().ToString('N'))"
        Register-PSResourceRepository -Name $name -Uri $repository.FullName -Trusted
        try {
            Publish-PSResource -NupkgPath $ModulePackage -Repository $name
            Save-PSResource -Name PSSocketFtp -Version $Version -Repository $name -Path $modules.FullName -TrustRepository
        } finally {
            Unregister-PSResourceRepository -Name $name
        }
        Test-Path -LiteralPath (Join-Path $modules "PSSocketFtp/$Version/PSSocketFtp.psd1") | Should -BeTrue

        $work = New-Item -ItemType Directory (Join-Path $TestDrive 'work')
        $script = {
            $ErrorActionPreference = 'Stop'
            Import-Module PSSocketFtp
            "MODULEBASE=$((Get-Module PSSocketFtp).ModuleBase)"
            "HELP=$(@((Get-Help Send-FtpFile -Full).examples.example).Count)"
            $srv = Start-FtpSocketServer -Root (Join-Path $env:PACKAGE_TEST_WORK 'served')
            try {
                "SERVER=$((Get-Process -Id $srv.ProcessId).CommandLine)"
                $srv | Connect-FtpSocket | Out-Null
                $bytes = [byte[]]::new(300000)
                [Random]::new(13).NextBytes($bytes)
                $local = Join-Path $env:PACKAGE_TEST_WORK 'payload.bin'
                [IO.File]::WriteAllBytes($local, $bytes)
                Send-FtpFile -LiteralPath $local | Out-Null
                $back = New-Item -ItemType Directory (Join-Path $env:PACKAGE_TEST_WORK 'back')
                Receive-FtpFile /payload.bin -Destination $back.FullName | Out-Null
                "SAME=$([Linq.Enumerable]::SequenceEqual($bytes, [IO.File]::ReadAllBytes((Join-Path $back.FullName 'payload.bin'))))"
                Disconnect-FtpSocket
            } finally {
                $srv | Stop-FtpSocketServer
            }
        }
        # Only the folder it was saved into, besides PowerShell's own modules; nothing points at this repository's build.
        $modulePath = $modules.FullName + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
        $child = Invoke-Child 'dotnet' @('pwsh', '-NoProfile', '-NonInteractive', '-Command', $script.ToString()) -Environment @{
            PSModulePath = $modulePath; PSSOCKETFTP_SERVER = $null; PSSOCKETFTP_MODULE = $null; PACKAGE_TEST_WORK = $work.FullName
        }
        $because = "the child said: $($child.Output) $($child.Error)"
        $child.ExitCode | Should -Be 0 -Because $because
        $said = @{}
        foreach ($line in $child.Output -split '\r?\n') { if ($line -match '^(MODULEBASE|HELP|SERVER|SAME)=(.*)$') { $said[$Matches[1]] = $Matches[2] } }
        $installed = Join-Path $modules.FullName "PSSocketFtp/$Version"
        $said.MODULEBASE | Should -Be $installed -Because $because
        [int]$said.HELP | Should -BeGreaterOrEqual 2 -Because $because
        $said.SERVER | Should -BeLike "*$([WildcardPattern]::Escape((Join-Path $installed 'server/PSSocketFtp.Server.dll')))*" -Because $because
        $said.SAME | Should -Be 'True' -Because $because
    }
}

Describe 'The server tool' {
    It 'installs with dotnet tool install from the packages folder and its command starts a server' {
        $tools = Join-Path $TestDrive 'tools'
        # A package cache of its own: the user's would keep an earlier build of the same version.
        $environment = @{ NUGET_PACKAGES = (Join-Path $TestDrive 'nuget-packages'); DOTNET_CLI_TELEMETRY_OPTOUT = '1' }
        $install = Invoke-Child 'dotnet' @('tool', 'install', '--tool-path', $tools, '--add-source', $Packages, '--version', $Version, 'PSSocketFtp.Server') -Environment $environment
        $install.ExitCode | Should -Be 0 -Because "dotnet tool install said: $($install.Output) $($install.Error)"

        $command = Join-Path $tools ($IsWindows ? 'pssocketftp-server.exe' : 'pssocketftp-server')
        $info = [Diagnostics.ProcessStartInfo]::new($command)
        foreach ($argument in '--root', (Join-Path $TestDrive 'tool-root'), '--port', '0', '--print-port', '--stop-on-input-end') { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        # The launcher finds the runtime through DOTNET_ROOT when dotnet is not where it looks by default.
        $info.Environment['DOTNET_ROOT'] = Split-Path -Parent ([Environment]::ProcessPath)
        $server = [Diagnostics.Process]::Start($info)
        try {
            $port = $null
            $read = $server.StandardOutput.ReadLineAsync()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($null -eq $port -and [DateTime]::UtcNow -lt $deadline) {
                if (-not $read.Wait(1000)) { continue }
                if ($null -eq $read.Result) { break }
                if ($read.Result -match '^PSSOCKETFTP_PORT=(\d+)$') { $port = [int]$Matches[1] } else { $read = $server.StandardOutput.ReadLineAsync() }
            }
            $port | Should -BeGreaterThan 0
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $port); $client.Connected | Should -BeTrue } finally { $client.Dispose() }
            # --stop-on-input-end: closing its stdin stops it.
            $server.StandardInput.Close()
            $server.WaitForExit(30000) | Should -BeTrue
        } finally {
            if (-not $server.HasExited) { $server.Kill($true) }
            $server.Dispose()
        }
    }

    It 'leaves a native server for linux-x64 that needs no runtime and serves users over TLS' -Skip:(-not ($IsLinux -and [Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
        $archive = Join-Path $Packages "pssocketftp-server-$Version-linux-x64.tar.gz"
        $archive | Should -Exist
        $native = Join-Path $TestDrive 'native'
        New-Item -ItemType Directory -Path $native | Out-Null
        & tar -xzf $archive -C $native
        $LASTEXITCODE | Should -Be 0
        (Get-ChildItem -LiteralPath $native).Name | Should -Be 'pssocketftp-server'
        $server = Join-Path $native 'pssocketftp-server'

        # Started by the module's Start-FtpSocketServer -ServerPath, with a user (its add-user) and TLS; then a round trip.
        Import-Module $ModuleManifest
        $credential = [pscredential]::new('alice', (ConvertTo-SecureString 'secret-Pa55' -AsPlainText -Force))
        $certificate = New-TestCertificate (Join-Path $TestDrive 'server.pfx')
        $running = Start-FtpSocketServer -ServerPath $server -Root (Join-Path $TestDrive 'native-root') -Credential $credential `
            -Certificate $certificate.Path -CertificatePassword (ConvertTo-SecureString $certificate.Password -AsPlainText -Force)
        try {
            (Get-Process -Id $running.ProcessId).Path | Should -Be $server
            $session = $running | Connect-FtpSocket -Credential $credential -CertificateThumbprint $certificate.Thumbprint -NoDefault
            $file = Join-Path $TestDrive 'native.bin'
            [IO.File]::WriteAllBytes($file, [byte[]](1..200 | ForEach-Object { $_ % 251 }) * 1000)
            Send-FtpFile -LiteralPath $file -Destination / -Session $session | Out-Null
            Receive-FtpFile -Path /native.bin -Destination (Join-Path $TestDrive 'back.bin') -Session $session | Out-Null
            (Get-FileHash (Join-Path $TestDrive 'back.bin')).Hash | Should -Be (Get-FileHash $file).Hash
            Disconnect-FtpSocket -Session $session
        } finally {
            $running | Stop-FtpSocketServer
        }
    }
}
