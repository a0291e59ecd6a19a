# Runs the Pester suite with the Pester module restored from NuGet; build.ps1 calls it in a fresh process.
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultFile
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.0
$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = $ResultFile
$run = Invoke-Pester -Configuration $config
# build.ps1 reads this line to total Pester with xunit.
"PESTER_COUNTS=$($run.PassedCount),$($run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount)"
