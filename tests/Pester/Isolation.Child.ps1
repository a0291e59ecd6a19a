# Run by Isolation.Tests.ps1 in a fresh pwsh: another module's Polly.Core and System.IO.Hashing (other versions than
# ours) and our module in one process, in the order given; prints what each side did and what loaded where.
param(
    [Parameter(Mandatory)] [string] $Module,
    # Two paths, not one array: pwsh -File passes every argument as one string.
    [Parameter(Mandatory)] [string] $TheirPolly,
    [Parameter(Mandatory)] [string] $TheirHashing,
    [Parameter(Mandatory)] [int] $Port,
    [Parameter(Mandatory)] [ValidateSet('TheirsFirst', 'OursFirst')] [string] $Order
)
$ErrorActionPreference = 'Stop'

function Use-Theirs {
    # Add-Type loads into the default context, as a module that ships these dlls without a load context of its own does.
    Add-Type -LiteralPath $TheirPolly, $TheirHashing
    $answer = [Polly.ResiliencePipelineBuilder]::new().Build().Execute[int]([Func[int]] { 42 })
    $hash = [Convert]::ToHexString([IO.Hashing.XxHash64]::Hash([byte[]](1, 2, 3)))
    "THEIRS=$answer,$hash"
}

function Use-Ours {
    Import-Module $Module
    $file = Join-Path ([IO.Path]::GetTempPath()) "isolation-$PID.bin"
    [IO.File]::WriteAllBytes($file, [byte[]]::new(100000))
    try {
        $session = Connect-FtpSocket 127.0.0.1 -Port $Port -RetryCount 1 -NoDefault
        $sent = Send-FtpFile -LiteralPath $file -Session $session
        "OURS=$($sent.Length),$((Get-FtpFileHash -Path $sent.RemotePath -Session $session).Hash)"
        $session | Disconnect-FtpSocket
    } finally {
        Remove-Item -LiteralPath $file
    }
}

if ($Order -eq 'TheirsFirst') { Use-Theirs; Use-Ours; Use-Theirs } else { Use-Ours; Use-Theirs; Use-Ours }
# Polly.Core 8.x keeps assembly version 8.0.0.0 in every release: the file version tells the copies apart.
foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'Polly.Core', 'System.IO.Hashing' }) {
    $context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly)
    "LOADED=$($assembly.GetName().Name),$([Diagnostics.FileVersionInfo]::GetVersionInfo($assembly.Location).FileVersion),$($context.GetType().Name)"
}
