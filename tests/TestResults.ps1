# Reads the results of the xunit run for build.ps1; dot-sourced, so a Pester test can call it on files of its own.

function Get-TrxCounts([string] $Directory) {
    <#
    Totals the TRX files in $Directory. Literal paths throughout: VSTest names a second results file of the same
    second "…_net10.0[1].trx", and a wildcard path would take "[1]" as a pattern and find nothing.
    #>
    $passed = 0; $failed = 0
    foreach ($file in Get-ChildItem -LiteralPath $Directory -Filter *.trx -File -ErrorAction SilentlyContinue) {
        $counters = ([xml](Get-Content -Raw -LiteralPath $file.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}
