#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The scripts that run the tests: paths with [ and ], which PowerShell takes for wildcards unless told they are literal.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . (Join-Path $RepoRoot 'tests/TestResults.ps1')
    function New-Trx([string] $Path, [int] $Passed, [int] $Failed) {
        Set-Content -LiteralPath $Path "<TestRun><ResultSummary><Counters passed=`"$Passed`" failed=`"$Failed`" error=`"0`" timeout=`"0`" aborted=`"0`" /></ResultSummary></TestRun>"
    }
}

Describe 'Get-TrxCounts' {
    It 'counts the second results file of a second, which VSTest names …[1].trx, in <Folder>' -ForEach @(
        @{ Folder = 'results' }, @{ Folder = 'results[1]' }
    ) {
        $results = New-Item -ItemType Directory (Join-Path $TestDrive $Folder)
        New-Trx (Join-Path $results 'x_net10.0.trx') 3 1
        New-Trx (Join-Path $results 'x_net10.0[1].trx') 5 2
        $counts = Get-TrxCounts $results.FullName
        $counts.Passed | Should -Be 8
        $counts.Failed | Should -Be 3
    }

    It 'counts nothing in a folder that does not exist' {
        $counts = Get-TrxCounts (Join-Path $TestDrive 'none')
        $counts.Passed | Should -Be 0
        $counts.Failed | Should -Be 0
    }
}

Describe 'Start-TestServer' {
    It 'starts the server with its root and logs in a temporary folder with brackets' {
        $saved = $env:TMPDIR, $env:TMP, $env:TEMP
        $env:TMPDIR = $env:TMP = $env:TEMP = (New-Item -ItemType Directory (Join-Path $TestDrive 'tmp[1]')).FullName
        try {
            $server = Start-TestServer
        } finally {
            $env:TMPDIR, $env:TMP, $env:TEMP = $saved
        }
        try {
            $server.Root | Should -BeLike "$([WildcardPattern]::Escape((Join-Path $TestDrive 'tmp[1]')))*"
            Test-Path -LiteralPath $server.Log | Should -BeTrue
        } finally {
            Stop-TestServer $server
        }
        Test-Path -LiteralPath $server.Root | Should -BeFalse
    }
}

Describe 'Invoke-PesterTests.ps1' {
    It 'runs the tests of a folder with brackets and writes its results into one' {
        $tests = New-Item -ItemType Directory (Join-Path $TestDrive 'suite[1]')
        Set-Content -LiteralPath (Join-Path $tests 'One.Tests.ps1') "Describe 'one' { It 'passes' { 1 | Should -Be 1 } }"
        $resultFile = Join-Path $TestDrive 'results[2]/pester.xml'
        $pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
        # The same way build.ps1 runs it: a fresh PowerShell, the local tool found from the repository.
        Push-Location -LiteralPath $RepoRoot
        try {
            $output = dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'tests/Invoke-PesterTests.ps1') -PesterPath $pester -TestPath $tests.FullName -ResultFile $resultFile
        } finally {
            Pop-Location
        }
        $output | Select-Object -Last 1 | Should -Be 'PESTER_COUNTS=1,0'
        Test-Path -LiteralPath $resultFile | Should -BeTrue
    }
}
