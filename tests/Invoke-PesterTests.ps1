# Runs the Pester suite with the Pester module restored from NuGet; build.ps1 calls it in a fresh process.
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultFile
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.0
$config = New-PesterConfiguration
# Pester takes its paths as wildcards, also the folders it finds (a clone in 'src[2]' would run no test and write no
# results), so it is given each test file, found literally, escaped, and the result file's folder escaped.
$config.Run.Path = @(Get-ChildItem -LiteralPath $TestPath -Filter *.Tests.ps1 -Recurse -File | ForEach-Object { [WildcardPattern]::Escape($_.FullName) })
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $ResultFile) | Out-Null  # New-Item takes its path literally
$config.TestResult.OutputPath = Join-Path ([WildcardPattern]::Escape((Split-Path -Parent $ResultFile))) (Split-Path -Leaf $ResultFile)
$run = Invoke-Pester -Configuration $config
# build.ps1 reads this line to total Pester with xunit.
"PESTER_COUNTS=$($run.PassedCount),$($run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount)"
