#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Rename-FtpItem and Move-FtpItem against the real server process: files and folders, into a folder or to a new path,
# never replacing without -Force.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Server = Start-TestServer

    function Get-ServerFile([string] $RemotePath) { Join-Path $Server.Root $RemotePath.TrimStart('/') }
    # A fresh folder of the test's own on the server, with a file 'a.txt' ('a') and a folder 'dir' holding 'in.txt'.
    function New-RemoteTree {
        $folder = "/mv/$(New-Guid)"
        $local = Get-ServerFile $folder
        New-Item -ItemType Directory -Path (Join-Path $local 'dir') -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $local 'a.txt') -Value 'a' -NoNewline
        Set-Content -LiteralPath (Join-Path $local 'dir/in.txt') -Value 'in' -NoNewline
        $folder
    }
}

AfterAll {
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
    Stop-TestServer $Server
}

Describe 'Moving remote items' {
    # Each test on a session and a tree of its own.
    BeforeEach {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $script:Tree = New-RemoteTree
    }

    AfterEach { Get-FtpSession | Disconnect-FtpSocket }

    Describe 'Rename-FtpItem' {
        It 'renames a file in its folder and outputs nothing without -PassThru' {
            Rename-FtpItem "$Tree/a.txt" b.txt | Should -BeNullOrEmpty
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/b.txt") | Should -Be 'a'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/a.txt") | Should -BeFalse
        }

        It 'renames a folder with its content and outputs it with -PassThru' {
            $item = Rename-FtpItem "$Tree/dir" renamed -PassThru
            $item.FullName | Should -Be "$Tree/renamed"
            $item.IsDirectory | Should -BeTrue
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/renamed/in.txt") | Should -Be 'in'
        }

        It 'refuses a name that is taken, and replaces a file with -Force' {
            Set-Content -LiteralPath (Get-ServerFile "$Tree/b.txt") -Value 'old' -NoNewline
            { Rename-FtpItem "$Tree/a.txt" b.txt -ErrorAction Stop } | Should -Throw -ErrorId 'AlreadyExists,*'
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/b.txt") | Should -Be 'old'
            Rename-FtpItem "$Tree/a.txt" b.txt -Force
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/b.txt") | Should -Be 'a'
        }

        It 'never replaces a folder with content, even with -Force' {
            { Rename-FtpItem "$Tree/a.txt" dir -Force -ErrorAction Stop } | Should -Throw -ErrorId 'IsADirectory,*'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/dir/in.txt") | Should -BeTrue
        }

        It 'takes a name, not a path' {
            { Rename-FtpItem "$Tree/a.txt" 'dir/b.txt' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/a.txt") | Should -BeTrue
        }

        It 'takes Get-FtpItem output by FullName' {
            Get-FtpItem "$Tree/a.txt" | Rename-FtpItem -NewName piped.txt
            Test-Path -LiteralPath (Get-ServerFile "$Tree/piped.txt") | Should -BeTrue
        }

        It 'changes nothing with -WhatIf' {
            Rename-FtpItem "$Tree/a.txt" b.txt -WhatIf
            Test-Path -LiteralPath (Get-ServerFile "$Tree/a.txt") | Should -BeTrue
            Test-Path -LiteralPath (Get-ServerFile "$Tree/b.txt") | Should -BeFalse
        }

        It 'refuses the server''s own folder and the root' {
            $top = "/rn-$(New-Guid).txt"
            Set-Content -LiteralPath (Get-ServerFile $top) -Value 'top' -NoNewline
            { Rename-FtpItem $top '.PSFTP' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
            Test-Path -LiteralPath (Get-ServerFile $top) | Should -BeTrue
            { Rename-FtpItem '/.psftp' x -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
            { Rename-FtpItem '/' x -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
        }

        It 'says ItemNotFound for a missing item' {
            { Rename-FtpItem "$Tree/missing" x -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
        }
    }

    Describe 'Move-FtpItem' {
        It 'moves a file into an existing folder under its own name' {
            $item = Move-FtpItem "$Tree/a.txt" "$Tree/dir" -PassThru
            $item.FullName | Should -Be "$Tree/dir/a.txt"
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/dir/a.txt") | Should -Be 'a'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/a.txt") | Should -BeFalse
        }

        It 'moves a folder to a new path' {
            New-Item -ItemType Directory -Path (Get-ServerFile "$Tree/other") | Out-Null
            Move-FtpItem "$Tree/dir" "$Tree/other/moved"
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/other/moved/in.txt") | Should -Be 'in'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/dir") | Should -BeFalse
        }

        It 'moves what a wildcard matches into a folder' {
            Set-Content -LiteralPath (Get-ServerFile "$Tree/b.txt") -Value 'b' -NoNewline
            $moved = Move-FtpItem "$Tree/*.txt" "$Tree/dir" -PassThru
            $moved.Name | Sort-Object | Should -Be 'a.txt', 'b.txt'
            (Get-ChildItem -LiteralPath (Get-ServerFile "$Tree/dir")).Name | Sort-Object | Should -Be 'a.txt', 'b.txt', 'in.txt'
        }

        It 'refuses a taken path without -Force, and replaces a file with it' {
            Set-Content -LiteralPath (Get-ServerFile "$Tree/dir/a.txt") -Value 'old' -NoNewline
            { Move-FtpItem "$Tree/a.txt" "$Tree/dir" -ErrorAction Stop } | Should -Throw -ErrorId 'AlreadyExists,*'
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/dir/a.txt") | Should -Be 'old'
            Move-FtpItem "$Tree/a.txt" "$Tree/dir" -Force
            Get-Content -Raw -LiteralPath (Get-ServerFile "$Tree/dir/a.txt") | Should -Be 'a'
        }

        It 'never moves a folder into itself' {
            { Move-FtpItem "$Tree/dir" "$Tree/dir" -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/dir/in.txt") | Should -BeTrue
        }

        It 'says ItemNotFound when the new path''s folder is missing' {
            { Move-FtpItem "$Tree/a.txt" "$Tree/no/such/a.txt" -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
        }

        It 'takes Get-FtpItem output by FullName' {
            Get-FtpItem "$Tree/a.txt" | Move-FtpItem -Destination "$Tree/dir"
            Test-Path -LiteralPath (Get-ServerFile "$Tree/dir/a.txt") | Should -BeTrue
        }

        It 'changes nothing with -WhatIf' {
            Move-FtpItem "$Tree/a.txt", "$Tree/dir" "$Tree/elsewhere" -WhatIf
            Test-Path -LiteralPath (Get-ServerFile "$Tree/a.txt") | Should -BeTrue
            Test-Path -LiteralPath (Get-ServerFile "$Tree/dir/in.txt") | Should -BeTrue
            Test-Path -LiteralPath (Get-ServerFile "$Tree/elsewhere") | Should -BeFalse
        }

        It 'never moves into the server''s own folder' {
            { Move-FtpItem "$Tree/a.txt" '/.psftp/partial' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
            Test-Path -LiteralPath (Get-ServerFile "$Tree/a.txt") | Should -BeTrue
        }
    }
}
