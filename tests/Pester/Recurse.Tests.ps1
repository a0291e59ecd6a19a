#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Send-FtpFile -Recurse and Receive-FtpFile -Recurse against the real server process: whole trees both ways, with the
# destination rule of Copy-Item -Recurse (into a folder that exists, as a name that does not).

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Server = Start-TestServer
    $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
}

AfterAll {
    # Sessions outlive Remove-Module (the module's assembly stays loaded): leave none behind for the next file.
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
    Stop-TestServer $Server
}

Describe 'Send-FtpFile -Recurse' {
    BeforeAll {
        $script:Tree = New-SampleTree (Join-Path $TestDrive 'build')
    }

    It 'without -Recurse refuses a folder with IsADirectory, as before' {
        { Send-FtpFile -LiteralPath $Tree.FullName -Destination '/norecurse/' -ErrorAction Stop } | Should -Throw -ErrorId 'IsADirectory,*'
        Test-Path -LiteralPath (Get-ServerPath '/norecurse') | Should -BeFalse
    }

    It 'puts the folder into a destination folder that exists, keeping its name, empty folders included' {
        $null = New-FtpItem '/releases' -ItemType Directory
        $results = Send-FtpFile $Tree.FullName -Recurse -Destination '/releases'
        $results.Count | Should -Be 5
        $results.RemotePath | Should -Contain '/releases/build/a/b c/ünïcödé ñ/日本語.dat'
        Get-Tree (Get-ServerPath '/releases/build') | Should -Be (Get-Tree $Tree.FullName)
    }

    It 'puts the folder into a destination that ends with / even when it does not exist' {
        Send-FtpFile $Tree.FullName -Recurse -Destination '/made/for/it/' | Out-Null
        Get-Tree (Get-ServerPath '/made/for/it/build') | Should -Be (Get-Tree $Tree.FullName)
    }

    It 'copies the folder as the destination name when that does not exist' {
        Send-FtpFile -LiteralPath $Tree.FullName -Recurse -Destination '/renamed' | Out-Null
        Get-Tree (Get-ServerPath '/renamed') | Should -Be (Get-Tree $Tree.FullName)
        Test-Path -LiteralPath (Get-ServerPath '/renamed/build') | Should -BeFalse
    }

    It 'keeps existing remote files and stores the new ones as name_1 unless -Conflict Overwrite' {
        Send-FtpFile $Tree.FullName -Recurse -Destination '/again/' | Out-Null
        $second = Send-FtpFile $Tree.FullName -Recurse -Destination '/again/'
        ($second | Where-Object Renamed).Count | Should -Be 5
        Test-Path -LiteralPath (Get-ServerPath '/again/build/top_1.txt') | Should -BeTrue
        $third = Send-FtpFile $Tree.FullName -Recurse -Destination '/again/' -Conflict Overwrite
        ($third | Where-Object Renamed).Count | Should -Be 0
        $names = (Get-ChildItem -LiteralPath (Get-ServerPath '/again/build') -File).Name
        $names | Should -HaveCount 2
        $names | Should -Contain 'top.txt'
        $names | Should -Contain 'top_1.txt'
    }

    It 'refuses a destination that is a remote file' {
        Send-FtpFile (Join-Path $Tree.FullName 'top.txt') -Destination '/afile.txt' | Out-Null
        { Send-FtpFile $Tree.FullName -Recurse -Destination '/afile.txt' -ErrorAction Stop } | Should -Throw -ErrorId 'NotADirectory,*'
    }

    It 'with -WhatIf creates nothing and tells each action' {
        # What -WhatIf tells goes to the host, which only a transcript catches.
        $transcript = Join-Path $TestDrive 'whatif.log'
        Start-Transcript -LiteralPath $transcript | Out-Null
        try {
            Send-FtpFile $Tree.FullName -Recurse -Destination '/whatif/' -WhatIf
        } finally {
            Stop-Transcript | Out-Null
        }
        $said = Get-Content -LiteralPath $transcript
        Test-Path -LiteralPath (Get-ServerPath '/whatif') | Should -BeFalse
        # One line for each of the 7 folders (the tree's own included) and each of the 5 files.
        @($said | Where-Object { $_ -like '*Create folder /whatif/build*' }).Count | Should -Be 7
        @($said | Where-Object { $_ -like '*Upload to /whatif/build/*' }).Count | Should -Be 5
    }

    It 'goes on with the other files when one fails, writing an error for it' {
        $folder = New-SampleTree (Join-Path $TestDrive 'partly')
        # A remote file where one of the folders must go: that folder and what is in it fail, the rest go.
        Send-FtpFile (Join-Path $Tree.FullName 'top.txt') -Destination '/partly/a/b c' | Out-Null
        $results = Send-FtpFile $folder.FullName -Recurse -Destination '/' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -BeGreaterThan 0
        $results.RemotePath | Should -Contain '/partly/top.txt'
        $results.RemotePath | Should -Contain '/partly/a/one.bin'
        Test-Path -LiteralPath (Get-ServerPath '/partly/empty') -PathType Container | Should -BeTrue
    }

    It 'writes InvalidPath for a name the server cannot take and sends the rest' -Skip:$IsWindows {
        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'names')
        $null = New-Item -ItemType Directory (Join-Path $folder 'bad:folder')
        New-TestFile (Join-Path $folder 'bad:folder/inside.txt') 5 7 | Out-Null
        # .NET, not a PowerShell path, which would take the '\' for a separator.
        [IO.File]::WriteAllText([IO.Path]::Combine($folder.FullName, 'back\slash.txt'), 'slash')
        New-TestFile (Join-Path $folder 'good.txt') 5 9 | Out-Null
        $results = Send-FtpFile $folder.FullName -Recurse -Destination '/' -ErrorVariable failures -ErrorAction SilentlyContinue
        $results.RemotePath | Should -Be '/names/good.txt'
        $failures | Should -HaveCount 2
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'InvalidPath,*' }
        (Get-ChildItem -LiteralPath (Get-ServerPath '/names') -Recurse).Name | Should -Be 'good.txt'
    }

    It 'skips links to folders below the folder, so a loop ends' -Skip:$IsWindows {
        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'looped')
        New-TestFile (Join-Path $folder 'real.txt') 5 6 | Out-Null
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'loop') -Target $folder.FullName
        $results = Send-FtpFile $folder.FullName -Recurse -Destination '/' -WarningVariable warned -WarningAction SilentlyContinue
        $results.RemotePath | Should -Be '/looped/real.txt'
        $warned | Should -HaveCount 1
        Test-Path -LiteralPath (Get-ServerPath '/looped/loop') | Should -BeFalse
    }

    It 'says what it resolved with -Verbose' {
        $verbose = Send-FtpFile $Tree.FullName -Recurse -Destination '/verbose' -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Should -Contain "Sending the folder '$($Tree.FullName)' and everything in it to '/verbose': '/verbose' does not exist, so the folder is copied as that name."
        $verbose | Should -Contain "Walked '$($Tree.FullName)': 5 files and 6 folders below it to '/verbose'."
    }
}

Describe 'Receive-FtpFile -Recurse' {
    BeforeAll {
        $script:Source = New-SampleTree (Join-Path $TestDrive 'source')
        Send-FtpFile $Source.FullName -Recurse -Destination '/' | Out-Null
    }

    It 'gives back the same tree that Send-FtpFile -Recurse sent, into a folder that exists' {
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'back')
        $results = Receive-FtpFile '/source' -Recurse -Destination $target.FullName
        $results.Count | Should -Be 5
        Get-Tree (Join-Path $target 'source') | Should -Be (Get-Tree $Source.FullName)
    }

    It 'copies the folder as the destination name when that does not exist, as Send-FtpFile does' {
        $target = Join-Path $TestDrive 'as-name'
        Receive-FtpFile '/source' -Recurse -Destination $target | Out-Null
        Get-Tree $target | Should -Be (Get-Tree $Source.FullName)
        Test-Path -LiteralPath (Join-Path $target 'source') | Should -BeFalse
    }

    It 'puts the folder into a destination that ends with a separator even when it does not exist' {
        $target = Join-Path $TestDrive 'made' 'for' 'it'
        Receive-FtpFile '/source' -Recurse -Destination ($target + [IO.Path]::DirectorySeparatorChar) | Out-Null
        Get-Tree (Join-Path $target 'source') | Should -Be (Get-Tree $Source.FullName)
    }
}

Describe 'A tree of 2,000 files' {
    It 'goes up whole, many files in flight' {
        $big = New-Item -ItemType Directory (Join-Path $TestDrive 'many')
        foreach ($d in 0..19) {
            $folder = [IO.Directory]::CreateDirectory([IO.Path]::Combine($big.FullName, "d$d")).FullName
            foreach ($f in 0..99) { [IO.File]::WriteAllText([IO.Path]::Combine($folder, "f$f.txt"), "file $d/$f") }
        }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $sent = Send-FtpFile $big.FullName -Recurse -Destination '/bulk/'
        # Told, never asserted: the time depends on the machine and what else runs on it. The way back is tested with
        # many files by the module's own tests, and with the whole round trip above.
        Write-Host ("2,000 files in 20 folders: Send-FtpFile -Recurse took {0:N1} s" -f $clock.Elapsed.TotalSeconds)
        $sent.Count | Should -Be 2000
        Get-Tree (Get-ServerPath '/bulk/many') | Should -Be (Get-Tree $big.FullName)
    }
}
