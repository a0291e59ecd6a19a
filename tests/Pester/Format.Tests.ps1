#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The format views in 80 columns, one output type at a time, against the real server: no line longer than 80, no header
# or value cut to '…' (a long path wraps instead), and durations a person reads ('0.42 s'), not a raw TimeSpan.
# Also New-FtpItem's -LiteralPath, the other PowerShell convention of issue #13 item 8.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    # The text as a console shows it, without the header's colours.
    $script:Rendering = $PSStyle.OutputRendering
    $PSStyle.OutputRendering = 'PlainText'
    $script:Server = Start-TestServer
    $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port

    # A 40-character name in a folder whose remote path is 60 characters: longer than any view's last column.
    $script:LongName = 'quarterly-ledger-reconciliation-2026.csv'
    $script:RemoteFolder = '/format-views/accounts-receivable'
    $script:Local = (New-Item -ItemType Directory (Join-Path $TestDrive 'local')).FullName
    $script:LocalFile = New-TestFile (Join-Path $Local $LongName) 4096 3
    $script:Sent = Send-FtpFile -LiteralPath $LocalFile.FullName -Destination "$RemoteFolder/"

    # The text of $InputObject in 80 columns, after checking that it fits: no line over 80 and no '…' or '...'.
    function Get-Fitted($InputObject) {
        $text = $InputObject | Out-String -Width 80
        $lines = $text -split '\r?\n'
        $lines | Where-Object Length -GT 80 | Should -BeNullOrEmpty -Because "every line should fit in 80 columns:`n$text"
        $text | Should -Not -Match '…|\.\.\.' -Because "nothing should be cut:`n$text"
        $text
    }

    # Whether $Value is whole in $Text, perhaps wrapped over lines (the other columns are blank on the wrapped lines).
    function Test-Whole([string] $Text, [string] $Value) {
        ($Text -replace '\s', '').Contains(($Value -replace '\s', ''))
    }
}

AfterAll {
    $PSStyle.OutputRendering = $Rendering
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
    Stop-TestServer $Server
}

Describe 'The format views in 80 columns' {
    It 'Get-FtpItem looks like Get-ChildItem: Mode, LastWriteTime, Length, Name, one space between columns' {
        $text = Get-Fitted (Get-FtpItem $RemoteFolder)
        $lines = $text -split '\r?\n' | Where-Object { $_.Trim() }
        # The heading as Get-ChildItem's: indented by four, one blank line either side.
        $text | Should -Match "^\r?\n    Directory: $([regex]::Escape($RemoteFolder))\r?\n\r?\nMode "
        $header = $lines | Where-Object { $_ -match 'Mode' }
        $header | Should -Match '^Mode\s+LastWriteTime\s+Length Name$'
        $row = $lines | Where-Object { $_ -like '-a---*' }
        $row | Should -Match '^-a---\s+\S.*\S\s+4096 \S'
        Test-Whole $text $LongName | Should -BeTrue
        # Column for column Get-ChildItem's Windows view (on Linux and macOS it shows UnixMode, User and Group instead).
        $header.TrimEnd() | Should -BeExactly 'Mode                 LastWriteTime         Length Name'
    }

    It 'Get-FtpItem shows a folder with an empty Length' {
        $text = Get-Fitted (Get-FtpItem /format-views)
        $text | Should -Match '(?m)^d----\s+\S.*\S\s+accounts-receivable$'
    }

    It 'Get-FtpSession shows every column whole' {
        $text = Get-Fitted (Get-FtpSession)
        $text | Should -Match '(?m)^IsDefault\s+ComputerName\s+Port\s+UserName\s+UseTls\s+ConnectedAt$'
        $text | Should -Match "(?m)^True\s+127\.0\.0\.1\s+$($Server.Port)\s+False\s"
    }

    It 'Get-FtpItemSize shows the numbers whole and the path last' {
        $text = Get-Fitted (Get-FtpItemSize "$RemoteFolder/$LongName")
        $text | Should -Match '(?m)^\s*FileCount\s+Length\s+SizeMB Path$'
        $text | Should -Match '(?m)^\s+1\s+4096\s+0[.,]004 /format-views/'
        Test-Whole $text "$RemoteFolder/$LongName" | Should -BeTrue
    }

    It 'Send-FtpFile shows the transfer with a readable duration' {
        $text = Get-Fitted $Sent
        $text | Should -Match '(?m)^Direction\s+Length\s+Duration\s+Renamed RemotePath$'
        $text | Should -Match '(?m)^Upload\s+4096\s+\d+[.,]\d\d s\s+False\s+/format-views/'
        Test-Whole $text "$RemoteFolder/$LongName" | Should -BeTrue
    }

    It 'Receive-FtpFile shows the transfer with a readable duration' {
        $received = Receive-FtpFile "$RemoteFolder/$LongName" -Destination (Join-Path $TestDrive 'down/')
        $text = Get-Fitted $received
        $text | Should -Match '(?m)^Download\s+4096\s+\d+[.,]\d\d s\s+False\s+/format-views/'
        Test-Whole $text "$RemoteFolder/$LongName" | Should -BeTrue
    }

    It 'Get-FtpFileHash shows an XXH128 hash on one line and the path whole' {
        $hash = Get-FtpFileHash "$RemoteFolder/$LongName"
        $text = Get-Fitted $hash
        $text | Should -Match '(?m)^Algorithm\s+Hash\s+Path$'
        $text | Should -Match "(?m)^\S+\s+$($hash.Hash) /format-views/"
        Test-Whole $text "$RemoteFolder/$LongName" | Should -BeTrue
    }

    It 'Get-FtpFileHash shows a SHA256 hash whole, over two lines' {
        $hash = Get-FtpFileHash "$RemoteFolder/$LongName" -Algorithm SHA256
        $text = Get-Fitted $hash
        # The hash's halves on two lines, each beside a part of the path.
        $text | Should -Match "(?m)^SHA256\s+$($hash.Hash.Substring(0, 32)) /format-views/"
        $text | Should -Match "(?m)^\s+$($hash.Hash.Substring(32)) \S"
        Test-Whole $text.Replace($hash.Hash.Substring(32), '') "$RemoteFolder/$LongName" | Should -BeTrue
    }

    It 'Sync-FtpFolder shows each action with its relative path whole' {
        $tree = (New-Item -ItemType Directory (Join-Path $TestDrive 'sync/nested-folder-for-the-format-test')).FullName
        $null = New-TestFile (Join-Path $tree $LongName) 2048 5
        $records = Sync-FtpFolder (Join-Path $TestDrive 'sync') /format-sync
        $text = Get-Fitted $records
        $text | Should -Match '(?m)^Action\s+Reason\s+Length\s+RelativePath$'
        $text | Should -Match '(?m)^Upload\s+New\s+2048 nested-folder-for-the-format-test/'
        Test-Whole $text "nested-folder-for-the-format-test/$LongName" | Should -BeTrue
    }

    It 'Start-FtpSocketServer shows the server with its root whole' {
        $srv = Start-FtpSocketServer -Root (Join-Path $TestDrive 'served-by-the-format-test/with-a-longer-root-path')
        try {
            $text = Get-Fitted $srv
            $text | Should -Match '(?m)^ComputerName\s+Port\s+ProcessId\s+HasExited Root$'
            $text | Should -Match "(?m)^127\.0\.0\.1\s+$($srv.Port)\s+$($srv.ProcessId)\s+False\s+/"
            Test-Whole $text $srv.Root | Should -BeTrue
        } finally {
            $srv | Stop-FtpSocketServer
        }
    }
}

Describe 'New-FtpItem -LiteralPath, as every cmdlet that takes remote paths has it' {
    It 'creates a folder whose name has brackets, taken as they are' {
        $item = New-FtpItem -LiteralPath '/literal/[nightly]' -ItemType Directory
        $item.FullName | Should -Be '/literal/[nightly]'
        Test-Path -LiteralPath (Join-Path $Server.Root 'literal/[nightly]') -PathType Container | Should -BeTrue
    }

    It 'binds a piped string to -Path and Get-FtpItem''s output by FullName to -LiteralPath' {
        ('/literal/piped' | New-FtpItem -ItemType Directory).FullName | Should -Be '/literal/piped'
        $again = Get-FtpItem /literal | New-FtpItem -ItemType Directory -Force
        $again.FullName | Sort-Object | Should -Be '/literal/[nightly]', '/literal/piped'
    }

    It 'takes -Path or -LiteralPath, not both' {
        (Get-Command New-FtpItem).ParameterSets.Name | Sort-Object | Should -Be 'LiteralPath', 'Path'
        { New-FtpItem -Path /a -LiteralPath /b -ItemType Directory -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
    }
}
