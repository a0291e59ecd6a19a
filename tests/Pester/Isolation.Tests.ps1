#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Isolation proven: another version of our dependencies (Polly.Core 8.4.2, System.IO.Hashing 8.0.0, which
# tests/tools restores) loaded into the same pwsh before and after our module, and both sides work.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $tools = Join-Path $RepoRoot 'tests/tools/Tools.csproj'
    dotnet restore $tools -nologo | Out-Null
    $packages = (dotnet msbuild $tools -getProperty:NuGetPackageRoot -nologo).Trim()
    $script:TheirPolly = Join-Path $packages 'polly.core/8.4.2/lib/net8.0/Polly.Core.dll'
    $script:TheirHashing = Join-Path $packages 'system.io.hashing/8.0.0/lib/net8.0/System.IO.Hashing.dll'
    $script:Server = Start-TestServer

    function Invoke-Child([string] $Order) {
        Push-Location -LiteralPath $RepoRoot  # dotnet pwsh is a local tool of the repository
        try {
            $output = dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Isolation.Child.ps1') `
                -Module $ModuleManifest -TheirPolly $TheirPolly -TheirHashing $TheirHashing -Port $Server.Port -Order $Order 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
            $output
        } finally {
            Pop-Location
        }
    }
}

AfterAll {
    Stop-TestServer $Server
}

Describe 'Another version of our dependencies in the same pwsh' {
    It 'works on both sides when <_> loads' -ForEach 'TheirsFirst', 'OursFirst' {
        $output = Invoke-Child $_
        $theirs = @($output -match '^THEIRS=')
        $ours = @($output -match '^OURS=')
        $theirs.Count + $ours.Count | Should -Be 3
        $theirs | ForEach-Object { $_ | Should -Be 'THEIRS=42,743E13EE0C4EE5A5' }
        $ours | ForEach-Object { $_ | Should -Match '^OURS=100000,[0-9A-F]{32}$' }

        $loaded = @($output -match '^LOADED=')
        $loaded | Should -Contain 'LOADED=Polly.Core,8.4.2.3950,DefaultAssemblyLoadContext'
        $loaded | Should -Contain 'LOADED=System.IO.Hashing,8.0.23.53103,DefaultAssemblyLoadContext'
        @($loaded -like 'LOADED=Polly.Core,*,DependencyLoadContext').Count | Should -Be 1
        @($loaded -like 'LOADED=System.IO.Hashing,*,DependencyLoadContext').Count | Should -Be 1
    }
}
