#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Start-FtpSocketServer and Stop-FtpSocketServer: the test server users start in their own Pester tests.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:ModuleServer = Join-Path (Split-Path -Parent $ModuleManifest) 'server/PSSocketFtp.Server.dll'

    function New-Login([string] $User, [string] $Password) {
        [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
    }
    function Wait-ProcessGone([int] $Id, [int] $Seconds = 30) {
        <# Whether the process $Id has ended within $Seconds. #>
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            $process = Get-Process -Id $Id -ErrorAction SilentlyContinue
            if (-not $process -or $process.HasExited) { return $true }
            Start-Sleep -Milliseconds 200
        }
        $false
    }
    function Invoke-ChildPwsh([string] $Script, [switch] $NoWait, [hashtable] $Environment = @{}) {
        <# Runs $Script in a fresh PowerShell (the repository's local tool), as a user's would; returns the process. #>
        $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $Script) { $info.ArgumentList.Add($argument) }
        $info.WorkingDirectory = $RepoRoot
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        foreach ($variable in $Environment.GetEnumerator()) { $info.Environment[$variable.Key] = $variable.Value }
        $process = [Diagnostics.Process]::Start($info)
        if ($NoWait) { return $process }
        $output = $process.StandardOutput.ReadToEndAsync()
        $errors = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(300000)) { $process.Kill(); throw 'The child PowerShell did not end within 5 minutes.' }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output.Result; Error = $errors.Result }
    }
}

AfterAll {
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
}

Describe 'The built module' {
    It 'carries the server in its server folder' {
        Test-Path -LiteralPath $ModuleServer | Should -BeTrue
        Test-Path -LiteralPath (Join-Path (Split-Path -Parent $ModuleServer) 'PSSocketFtp.Server.runtimeconfig.json') | Should -BeTrue
    }
}

Describe 'Start-FtpSocketServer' {
    It 'starts on a free port, serves a TestDrive root, pipes into Connect-FtpSocket and stops by pipeline' {
        $srv = Start-FtpSocketServer -Root TestDrive:\served
        try {
            $srv.ComputerName | Should -Be '127.0.0.1'
            $srv.Port | Should -BeGreaterThan 0
            $srv.Root | Should -Be (Join-Path $TestDrive 'served')
            Test-Path -LiteralPath $srv.Root -PathType Container | Should -BeTrue
            $session = $srv | Connect-FtpSocket -NoDefault
            $local = New-TestFile (Join-Path $TestDrive 'upload.bin') 5000
            Send-FtpFile -LiteralPath $local.FullName -Session $session | Out-Null
            (Get-FileHash (Join-Path $srv.Root 'upload.bin')).Hash | Should -Be (Get-FileHash $local.FullName).Hash
            $session | Disconnect-FtpSocket
        } finally {
            $srv | Stop-FtpSocketServer
        }
        $srv.HasExited | Should -BeTrue
        Wait-ProcessGone $srv.ProcessId | Should -BeTrue
        # The root was the caller's: it stays.
        Test-Path -LiteralPath (Join-Path $TestDrive 'served/upload.bin') | Should -BeTrue
    }

    It 'serves a temporary folder without -Root, deleted when the server stops; stopping again does nothing' {
        $srv = Start-FtpSocketServer
        Test-Path -LiteralPath $srv.Root -PathType Container | Should -BeTrue
        $srv | Stop-FtpSocketServer
        Test-Path -LiteralPath $srv.Root | Should -BeFalse
        { $srv | Stop-FtpSocketServer -ErrorAction Stop } | Should -Not -Throw
    }

    It 'lets in the -Credential user only, and keeps the password off the server''s command line' {
        $login = New-Login 'alice' 'se"cret pass\'
        $srv = Start-FtpSocketServer -Root (Join-Path $TestDrive 'users') -Credential $login
        try {
            $srv.UserName | Should -Be 'alice'
            (Get-Process -Id $srv.ProcessId).CommandLine | Should -Not -BeLike '*secret*'
            { $srv | Connect-FtpSocket -NoDefault -ErrorAction Stop } | Should -Throw -ErrorId 'Unauthorized,*'
            $session = $srv | Connect-FtpSocket -NoDefault -Credential $login
            New-FtpItem -Path /made -ItemType Directory -Session $session | Out-Null
            Test-Path -LiteralPath (Join-Path $srv.Root 'made') -PathType Container | Should -BeTrue
            $session | Disconnect-FtpSocket
        } finally {
            $srv | Stop-FtpSocketServer
        }
    }

    It 'speaks TLS with a -Certificate given as <Kind>' -ForEach @(@{ Kind = 'a PFX path' }, @{ Kind = 'an X509Certificate2' }) {
        $key = [Security.Cryptography.RSA]::Create(2048)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key,
            [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(7))
        $start = if ($Kind -eq 'a PFX path') {
            $pfx = Join-Path $TestDrive 'server.pfx'
            [IO.File]::WriteAllBytes($pfx, $certificate.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pfx, 'pfx-pw'))
            @{ Certificate = $pfx; CertificatePassword = (ConvertTo-SecureString 'pfx-pw' -AsPlainText -Force) }
        } else {
            @{ Certificate = $certificate }
        }
        $srv = Start-FtpSocketServer @start
        try {
            $srv.CertificateThumbprint | Should -Be $certificate.Thumbprint
            (Get-Process -Id $srv.ProcessId).CommandLine | Should -Not -BeLike '*pfx-pw*'
            $session = $srv | Connect-FtpSocket -NoDefault -CertificateThumbprint $srv.CertificateThumbprint
            $session.UseTls | Should -BeTrue
            $session | Disconnect-FtpSocket
        } finally {
            $srv | Stop-FtpSocketServer
        }
    }

    It 'fails with ServerNotFound when the server is missing' {
        { Start-FtpSocketServer -ServerPath (Join-Path $TestDrive 'none/PSSocketFtp.Server.dll') -ErrorAction Stop } | Should -Throw -ErrorId 'ServerNotFound,*'
    }

    It 'fails with ServerStartFailed and the server''s words when the port is taken' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $err = { Start-FtpSocketServer -Port $listener.LocalEndpoint.Port -ErrorAction Stop } | Should -Throw -ErrorId 'ServerStartFailed,*' -PassThru
            $err.Exception.Message | Should -BeLike '*could not start*'
        } finally {
            $listener.Stop()
        }
    }
}

Describe 'A server outlives no PowerShell' {
    It 'ends when the PowerShell that started it is <How>' -ForEach @(@{ How = 'killed' }, @{ How = 'exited' }) {
        $idFile = Join-Path $TestDrive "server-$How.txt"
        $end = if ($How -eq 'killed') { 'Start-Sleep -Seconds 600' } else { '' }
        # The PowerShell's own id: 'dotnet pwsh' runs it as a child of the dotnet tool's shim, which a kill would miss.
        $script = "Import-Module '$ModuleManifest'; `$srv = Start-FtpSocketServer; Set-Content -LiteralPath '$idFile' `"`$PID,`$(`$srv.ProcessId)`"; $end"
        $child = Invoke-ChildPwsh $script -NoWait
        $pwshId = $null
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not (Test-Path -LiteralPath $idFile) -or -not (Get-Content -LiteralPath $idFile)) {
                if ($child.HasExited -and $How -eq 'killed') { throw "The child PowerShell ended early: $($child.StandardError.ReadToEnd())" }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The child PowerShell did not start a server.' }
                Start-Sleep -Milliseconds 200
            }
            $pwshId, $serverId = [int[]]((Get-Content -LiteralPath $idFile) -split ',')
            if ($How -eq 'killed') { Stop-Process -Id $pwshId -Force }
            $child.WaitForExit(60000) | Should -BeTrue
            Wait-ProcessGone $serverId | Should -BeTrue
        } finally {
            if ($pwshId) { Stop-Process -Id $pwshId -Force -ErrorAction SilentlyContinue }
            if (-not $child.HasExited) { $child.Kill($true) }
        }
    }
}

Describe 'The Pester test of the issue, as a user writes it' {
    It 'passes against the server of the module''s server folder' {
        $test = Join-Path $TestDrive 'user/Upload.Tests.ps1'
        New-Item -ItemType Directory -Path (Split-Path $test) | Out-Null
        Set-Content -LiteralPath $test @'
BeforeAll { $srv = Start-FtpSocketServer -Root TestDrive:\ }
AfterAll { $srv | Stop-FtpSocketServer }

Describe 'my upload script' {
    It 'puts the report on the server' {
        $srv | Connect-FtpSocket
        New-Item TestDrive:\local\report.txt -Force -Value 'hello' | Send-FtpFile
        Get-Content TestDrive:\report.txt | Should -Be 'hello'
        Disconnect-FtpSocket
    }
}
'@
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        # Without $env:PSSOCKETFTP_SERVER, so the module runs the server it carries, as an installed one does.
        $script = "Import-Module '$pester'; Import-Module '$ModuleManifest'; `$env:PSSOCKETFTP_SERVER = `$null; " +
            "`$r = Invoke-Pester -Path '$test' -PassThru -Output None; 'COUNTS=' + `$r.PassedCount + ',' + `$r.FailedCount"
        $result = Invoke-ChildPwsh $script
        $result.Output | Should -Match 'COUNTS=1,0'
    }
}
