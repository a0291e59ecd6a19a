# Runs `./build.ps1 -Task Package` for Package.Tests.ps1 ahead of its turn: `build.ps1 -Task Test` starts it beside the
# first Pester files and Package.Tests waits for it. Its output goes into build.log, then its exit code into exit-code,
# written under another name and renamed, so that a reader never sees the file half written.
param([Parameter(Mandatory)] [string] $Folder)
$build = Join-Path (Split-Path -Parent $PSScriptRoot) 'build.ps1'
dotnet pwsh -NoProfile -NonInteractive -File $build -Task Package 2>&1 | Out-File -LiteralPath (Join-Path $Folder 'build.log')
Set-Content -LiteralPath (Join-Path $Folder 'exit-code.tmp') -Value $LASTEXITCODE
Move-Item -LiteralPath (Join-Path $Folder 'exit-code.tmp') -Destination (Join-Path $Folder 'exit-code') -Force
