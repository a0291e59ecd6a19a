#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Users, logins and TLS against the real server process: add-user, -Credential, -UseTls and its certificate checks.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Secrets = Join-Path $TestDrive 'secrets'
    New-Item -ItemType Directory -Path $Secrets | Out-Null
    $script:UsersFile = Join-Path $Secrets 'users.txt'

    function Invoke-Server {
        <# Runs the server's command line with the given arguments (stdin from the pipeline); returns its output and exit code. #>
        param([string[]] $ArgumentList, [Parameter(ValueFromPipeline)] [string] $InputText)
        $program, $first = @(Get-ServerCommand)[0], @(Get-ServerCommand | Select-Object -Skip 1)
        $output = $InputText | & $program @first @ArgumentList 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
    }
    function New-Login([string] $User, [string] $Password) {
        [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
    }

    # A user added the documented way, the password on stdin.
    $added = 'correct horse' | Invoke-Server -ArgumentList 'add-user', 'alice', '--users', $UsersFile
    if ($added.ExitCode -ne 0) { throw "add-user failed: $($added.Output)" }

    $certificate = New-TestCertificate (Join-Path $Secrets 'server.pfx')
    $script:Thumbprint = $certificate.Thumbprint
    $script:Pfx = $certificate.Path

    $script:Server = Start-TestServer -ArgumentList '--users', $UsersFile, '--certificate', $Pfx, '--certificate-password', $certificate.Password
    $script:Common = @{ ComputerName = '127.0.0.1'; Port = $Server.Port; RetryCount = 0; TimeoutSec = 20 }
}

AfterAll {
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
    Stop-TestServer $Server
}

Describe 'Logging in' {
    # Only a test that connected leaves a session.
    AfterEach { Get-FtpSession | Disconnect-FtpSocket }

    It 'connects with the credential add-user stored' {
        $session = Connect-FtpSocket @Common -Credential (New-Login alice 'correct horse') -CertificateThumbprint $Thumbprint
        $session.UserName | Should -Be 'alice'
        $session.UseTls | Should -BeTrue
        { Get-FtpItem -ErrorAction Stop } | Should -Not -Throw
    }

    It 'refuses a wrong password with Unauthorized' {
        { Connect-FtpSocket @Common -Credential (New-Login alice 'wrong') -SkipCertificateCheck -ErrorAction Stop } |
            Should -Throw -ErrorId 'Unauthorized,*'
    }

    It 'refuses an unknown user with the same Unauthorized' {
        { Connect-FtpSocket @Common -Credential (New-Login mallory 'correct horse') -SkipCertificateCheck -ErrorAction Stop } |
            Should -Throw -ErrorId 'Unauthorized,*'
    }

    It 'refuses a session without a credential with Unauthorized' {
        { Connect-FtpSocket @Common -SkipCertificateCheck -ErrorAction Stop } | Should -Throw -ErrorId 'Unauthorized,*'
    }

    It 'takes the password for add-user from PSSOCKETFTP_PASSWORD too' {
        $file = Join-Path $Secrets 'env-users.txt'
        $env:PSSOCKETFTP_PASSWORD = 'from the environment'
        try {
            $result = Invoke-Server -ArgumentList 'add-user', 'bob', '--users', $file
        } finally {
            Remove-Item Env:PSSOCKETFTP_PASSWORD
        }
        $result.ExitCode | Should -Be 0
        Get-Content -Raw -LiteralPath $file | Should -Match '(?m)^bob:pbkdf2-sha256:\d+:'
        Get-Content -Raw -LiteralPath $file | Should -Not -Match 'from the environment'
    }
}

Describe 'TLS' {
    # Only a test that connected leaves a session.
    AfterEach { Get-FtpSession | Disconnect-FtpSocket }

    It 'refuses a certificate the system does not trust with CertificateNotTrusted' {
        { Connect-FtpSocket @Common -Credential (New-Login alice 'correct horse') -UseTls -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateNotTrusted,*'
    }

    It 'refuses a certificate whose thumbprint is not the one pinned' {
        { Connect-FtpSocket @Common -Credential (New-Login alice 'correct horse') -CertificateThumbprint ('0' * 40) -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateNotTrusted,*'
    }

    It 'accepts any certificate with -SkipCertificateCheck' {
        $session = Connect-FtpSocket @Common -Credential (New-Login alice 'correct horse') -SkipCertificateCheck
        $session.UseTls | Should -BeTrue
    }

    It 'fails a plain client against the TLS server cleanly and quickly' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        { Connect-FtpSocket @Common -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectFailed,*'
        $watch.Elapsed | Should -BeLessThan ([TimeSpan]::FromSeconds(15))
    }
}

Describe 'Anonymous access' {
    It 'refuses to start on a non-loopback address without users or --allow-anonymous' {
        $root = Join-Path $TestDrive 'anon-root'
        $result = Invoke-Server -ArgumentList '--root', $root, '--port', '0', '--bind', '0.0.0.0'
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match 'could not start: No users are configured'
        $result.Output | Should -Match '--allow-anonymous'
    }
}
