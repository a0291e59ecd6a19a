#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# What a fresh clone shows a new user: the README's first steps and what git keeps out.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Readme = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'README.md')
}

Describe 'The README' {
    It 'says next to Import-Module that the module folder exists only after a build' {
        $Readme | Should -Match '(?m)^#.*only after a build.*`dotnet build`.*`\./build\.ps1`.*\r?\nImport-Module \./artifacts/module/PSSocketFtp\r?$'
    }

    It 'names every cmdlet the module exports' {
        $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $RepoRoot 'module/PSSocketFtp/PSSocketFtp.psd1')
        foreach ($cmdlet in $manifest.CmdletsToExport) { $Readme | Should -Match "``$cmdlet``" -Because "$cmdlet is exported" }
    }

    It 'documents Connect-FtpSocket -NoDefault' {
        $Readme | Should -Match '`-NoDefault`'
    }
}

Describe '.gitignore' {
    It "keeps the server's default folder, ./uploads, out of git" {
        # A copy of the repository without git (an archive) has nothing to check.
        if (-not (Get-Command git -ErrorAction SilentlyContinue) -or -not (Test-Path -LiteralPath (Join-Path $RepoRoot '.git'))) {
            Set-ItResult -Skipped -Because 'the repository is not a git checkout here'
            return
        }
        git -C $RepoRoot check-ignore -q 'uploads/report.csv'
        $LASTEXITCODE | Should -Be 0
    }
}
