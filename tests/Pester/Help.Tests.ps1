#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Help as a new user reads it: every cmdlet's Get-Help -Full complete, the about topic there, and every example run
# as written against a real server, each in a runspace of its own with a fresh set of files. The examples connect to
# the default port, as a user would; the server here listens on a free one, which the runspace makes
# Connect-FtpSocket's default, so that runs in parallel on one machine do not fight over port 7021.

BeforeDiscovery {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Cmdlets = @(Get-Command -Module PSSocketFtp -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
    $script:Examples = @(foreach ($cmdlet in Get-Command -Module PSSocketFtp -CommandType Cmdlet) {
        $number = 0
        foreach ($example in (Get-Help $cmdlet.Name -Full).examples.example) {
            @{ Name = $cmdlet.Name; Number = ++$number; Code = $example.code }
        }
    })
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Server = Start-TestServer

    function Reset-ExampleFiles([string] $Local) {
        <# The files the examples name: on the server (its root emptied but for its state folder) and in the local folder. #>
        Get-ChildItem -LiteralPath $Server.Root -Force | Where-Object Name -NE '.psftp' | Remove-Item -Recurse -Force
        New-TestFile (Join-Path $Server.Root 'report.csv') 2000 -Seed 1 | Out-Null
        New-Item -ItemType Directory (Join-Path $Server.Root 'logs') | Out-Null
        New-TestFile (Join-Path $Server.Root 'logs/app.log') 3000 -Seed 2 | Out-Null
        New-TestFile (Join-Path $Server.Root 'logs/web.log') 1500 -Seed 3 | Out-Null
        (New-TestFile (Join-Path $Server.Root 'logs/old.log') 500 -Seed 4).LastWriteTime = (Get-Date).AddDays(-60)
        New-Item -ItemType Directory $Local | Out-Null
        New-TestFile (Join-Path $Local 'report.csv') 2000 -Seed 1 | Out-Null
        New-Item -ItemType Directory (Join-Path $Local 'logs') | Out-Null
        New-TestFile (Join-Path $Local 'logs/app.log') 4000 -Seed 5 | Out-Null
        New-TestFile (Join-Path $Local 'logs/today.log') 100 -Seed 6 | Out-Null
    }
}

AfterAll {
    Stop-TestServer $Server
}

Describe 'Get-Help <Name> -Full' -ForEach $Cmdlets {
    BeforeAll {
        $script:Help = Get-Help $Name -Full
        $script:Command = Get-Command $Name
    }

    It 'has a synopsis and a description of its own' {
        # Without compiled help, PowerShell shows the syntax as the synopsis.
        $Help.Synopsis | Should -Not -BeLike "$Name *"
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        ($Help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $own = $Command.Parameters.Keys | Where-Object { $_ -notin $common }
        $described = @($Help.parameters.parameter | Where-Object { ($_.description.Text -join '').Trim() }).name
        $own | ForEach-Object { $described | Should -Contain $_ -Because "-$_ needs a description" }
    }

    It 'says truthfully which parameters take wildcards' {
        foreach ($parameter in $Help.parameters.parameter) {
            $attribute = $Command.Parameters[$parameter.name].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }
            $parameter.globbing | Should -Be ([bool]$attribute).ToString().ToLowerInvariant() -Because "-$($parameter.name)"
        }
        if ($Command.Parameters['LiteralPath']) {
            ($Help.parameters.parameter | Where-Object name -EQ LiteralPath).globbing | Should -Be 'false'
        }
    }

    It 'has at least two examples and related links' {
        @($Help.examples.example).Count | Should -BeGreaterOrEqual 2
        @($Help.relatedLinks.navigationLink).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'Get-Help about_PSSocketFtp' {
    It 'explains <_>' -ForEach 'SESSIONS', 'REMOTE PATHS', 'FOLDERS AND THE DUPLICATE-NAME RULE', 'RESUME AND INTEGRITY', 'ERRORS', 'RUNNING A SERVER' {
        (Get-Help about_PSSocketFtp | Out-String) | Should -Match "(?m)^$_\s*$"
    }
}

Describe 'The example <Number> of <Name>' -ForEach $Examples {
    It 'runs as written' {
        $local = Join-Path $TestDrive "$Name-$Number"
        Reset-ExampleFiles $local
        $shell = [powershell]::Create()
        try {
            # What a user has before the example: the module, a default session, and their files in the current folder.
            $null = $shell.AddScript("Import-Module '$($ModuleManifest -replace "'", "''")'; Set-Location -LiteralPath '$($local -replace "'", "''")'; `$PSDefaultParameterValues['Connect-FtpSocket:Port'] = $($Server.Port); Connect-FtpSocket localhost -RetryCount 0 | Out-Null").AddStatement().AddScript($Code)
            $output = $shell.Invoke()
            $errors = @($shell.Streams.Error) | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }
            $errors | Should -BeNullOrEmpty -Because "the example:`n$Code`nwrote:`n$($output | Out-String)"
        } finally {
            $shell.AddStatement().AddScript('Get-FtpSession | Disconnect-FtpSocket').Invoke() | Out-Null
            $shell.Dispose()
        }
    }
}
