#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Sync-FtpFolder against the real server process: both directions, a second run that skips everything, -Mirror
# deleting only extras, -Compare Hash, -Include/-Exclude, -WhatIf, bad input, a 10,000-file tree and a cut sync resumed.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Server = Start-TestServer
    $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port

    # The records as 'Action Reason relative/path', sorted, for comparing whole runs.
    function Format-Records($Records) { @($Records | ForEach-Object { "$($_.Action) $($_.Reason) $($_.RelativePath)" }) }
}

AfterAll {
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
    Stop-TestServer $Server
}

Describe 'Sync-FtpFolder -Direction Upload' {
    BeforeAll {
        $script:Tree = New-SampleTree (Join-Path $TestDrive 'up')
    }

    It 'makes the remote folder hold the tree, empty folders, spaces and non-ASCII names included, one record per item in order' {
        $records = Sync-FtpFolder $Tree.FullName /up
        Get-Tree -WithTime (Get-ServerPath '/up') | Should -Be (Get-Tree -WithTime $Tree.FullName)
        $records | ForEach-Object { $_ | Should -BeOfType ([PSSocketFtp.Commands.FtpSyncAction]) }
        $records.RelativePath | Should -Be @('a/', 'a/also empty/', 'a/also empty/deeper/', 'a/b c/', 'a/b c/with space.txt', 'a/b c/ünïcödé ñ/',
            'a/b c/ünïcödé ñ/zero.bin', 'a/b c/ünïcödé ñ/日本語.dat', 'a/one.bin', 'empty/', 'top.txt')
        $records | ForEach-Object { "$($_.Action) $($_.Reason)" | Should -Be 'Upload New' }
        ($records | Where-Object RelativePath -EQ 'a/one.bin').Length | Should -Be 3000
        ($records | Where-Object RelativePath -EQ 'a/one.bin').RemotePath | Should -Be '/up/a/one.bin'
    }

    It 'a second run transfers nothing and reports every item Skip Same' {
        $verbose = Sync-FtpFolder $Tree.FullName /up -Verbose 4>&1
        $records = $verbose | Where-Object { $_ -is [PSSocketFtp.Commands.FtpSyncAction] }
        $records | Should -HaveCount 11
        $records | ForEach-Object { "$($_.Action) $($_.Reason)" | Should -Be 'Skip Same' }
        @($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'Uploaded *' }) | Should -BeNullOrEmpty
    }

    It 'uploads what is new or changed and leaves what only the server has without -Mirror' {
        Set-Content -LiteralPath (Join-Path $Tree.FullName 'top.txt') -Value 'longer than before' -NoNewline
        New-TestFile (Join-Path $Tree.FullName 'a/new.bin') 50 9 | Out-Null
        New-TestFile (Get-ServerPath '/up/only-remote.txt') 5 9 | Out-Null
        $records = Sync-FtpFolder $Tree.FullName /up | Where-Object Action -NE Skip
        Format-Records $records | Should -Be @('Upload New a/new.bin', 'Upload Changed top.txt')
        Get-Content -Raw -LiteralPath (Get-ServerPath '/up/top.txt') | Should -Be 'longer than before'
        Test-Path -LiteralPath (Get-ServerPath '/up/only-remote.txt') | Should -BeTrue
    }

    It 'sees a changed LastWriteTime as a change and keeps it on the server' {
        $file = Get-Item -LiteralPath (Join-Path $Tree.FullName 'a/one.bin')
        $file.LastWriteTimeUtc = $file.LastWriteTimeUtc.AddSeconds(-5)
        Format-Records (Sync-FtpFolder $Tree.FullName /up | Where-Object Action -NE Skip) | Should -Be 'Upload Changed a/one.bin'
        (Get-Item -LiteralPath (Get-ServerPath '/up/a/one.bin')).LastWriteTimeUtc.Ticks / [TimeSpan]::TicksPerSecond -as [long] |
            Should -Be ($file.LastWriteTimeUtc.Ticks / [TimeSpan]::TicksPerSecond -as [long])
    }

    It 'with -Compare Hash catches a change of the same size and the same time, which SizeAndTime cannot' {
        $path = Join-Path $Tree.FullName 'a/b c/with space.txt'
        $time = (Get-Item -LiteralPath $path).LastWriteTimeUtc
        New-TestFile $path 77 42 | Out-Null
        (Get-Item -LiteralPath $path).LastWriteTimeUtc = $time
        Sync-FtpFolder $Tree.FullName /up | Where-Object Action -NE Skip | Should -BeNullOrEmpty
        $records = Sync-FtpFolder $Tree.FullName /up -Compare Hash
        Format-Records ($records | Where-Object Action -NE Skip) | Should -Be 'Upload Changed a/b c/with space.txt'
        Get-FileHash -LiteralPath (Get-ServerPath '/up/a/b c/with space.txt') | ForEach-Object Hash | Should -Be (Get-FileHash -LiteralPath $path).Hash
        Sync-FtpFolder $Tree.FullName /up -Compare Hash | Where-Object Action -NE Skip | Should -BeNullOrEmpty
    }

    It 'creates a remote folder that does not exist' {
        Sync-FtpFolder $Tree.FullName /made/below | Out-Null
        Get-Tree -WithTime (Get-ServerPath '/made/below') | Should -Be (Get-Tree -WithTime $Tree.FullName)
    }
}

Describe 'Sync-FtpFolder -Mirror' {
    BeforeEach {
        $script:Tree = New-SampleTree (Join-Path $TestDrive ("mirror" + [guid]::NewGuid().ToString('N')))
        $script:Remote = "/mirror-$([guid]::NewGuid().ToString('N'))"
        Sync-FtpFolder $Tree.FullName $Remote | Out-Null
        # Extras: a file, a folder with content, an empty folder, a file in a kept folder, and one that -Exclude shields.
        New-TestFile (Get-ServerPath "$Remote/extra.txt") 5 1 | Out-Null
        $null = New-Item -ItemType Directory (Get-ServerPath "$Remote/gone/deep"), (Get-ServerPath "$Remote/a/gone empty")
        New-TestFile (Get-ServerPath "$Remote/gone/deep/x.bin") 5 2 | Out-Null
        New-TestFile (Get-ServerPath "$Remote/a/b c/extra in kept.txt") 5 3 | Out-Null
        $null = New-Item -ItemType Directory (Get-ServerPath "$Remote/keep")
        New-TestFile (Get-ServerPath "$Remote/keep/notes.keep") 5 4 | Out-Null
        New-TestFile (Get-ServerPath "$Remote/keep/other.txt") 5 5 | Out-Null
    }

    It 'with -WhatIf changes nothing and tells each action' {
        $before = Get-Tree -WithTime (Get-ServerPath $Remote)
        New-TestFile (Join-Path $Tree.FullName 'whatif-new.txt') 5 6 | Out-Null
        $transcript = Join-Path $TestDrive 'whatif.log'
        Start-Transcript -LiteralPath $transcript | Out-Null
        try {
            $records = Sync-FtpFolder $Tree.FullName $Remote -Mirror -WhatIf
        } finally {
            Stop-Transcript | Out-Null
        }
        Get-Tree -WithTime (Get-ServerPath $Remote) | Should -Be $before
        $records | Where-Object Action -NE Skip | Should -BeNullOrEmpty
        $said = Get-Content -LiteralPath $transcript
        @($said | Where-Object { $_ -like '*Upload to*whatif-new.txt*' }) | Should -HaveCount 1
        @($said | Where-Object { $_ -like '*Remove*(-Mirror: Extra)*' }).Count | Should -Be 5
    }

    It 'deletes only the extras, whole folders in one request, and keeps what -Exclude names' {
        $records = Sync-FtpFolder $Tree.FullName $Remote -Mirror -Force -Exclude '*.keep'
        Format-Records ($records | Where-Object Action -EQ Delete) | Should -Be @(
            'Delete Extra a/b c/extra in kept.txt', 'Delete Extra a/gone empty/', 'Delete Extra extra.txt',
            'Delete Extra gone/', 'Delete Extra gone/deep/', 'Delete Extra gone/deep/x.bin', 'Delete Extra keep/other.txt')
        @($records | Where-Object Action -EQ Skip).Count | Should -Be 11
        Test-Path -LiteralPath (Get-ServerPath "$Remote/keep/notes.keep") | Should -BeTrue
        $actual = Get-Tree -WithTime (Get-ServerPath $Remote)
        $actual | Should -HaveCount 13
        $actual | Should -Contain 'keep/'
        $actual | Should -Not -Contain 'gone/'
        (Get-Tree -WithTime $Tree.FullName) | ForEach-Object { $actual | Should -Contain $_ }
    }

    It 'takes -Include on relative paths: only those files take part, folders are not deleted whole' {
        $records = Sync-FtpFolder $Tree.FullName $Remote -Mirror -Force -Include 'a/b c/*', 'extra.*'
        Format-Records $records | Should -Be @(
            'Delete Extra a/b c/extra in kept.txt', 'Skip Same a/b c/with space.txt', 'Skip Same a/b c/ünïcödé ñ/zero.bin',
            'Skip Same a/b c/ünïcödé ñ/日本語.dat', 'Delete Extra extra.txt')
        Test-Path -LiteralPath (Get-ServerPath "$Remote/gone/deep/x.bin") | Should -BeTrue
        Test-Path -LiteralPath (Get-ServerPath "$Remote/a/b c/extra in kept.txt") | Should -BeFalse
    }
}

Describe 'Sync-FtpFolder -Direction Download' {
    BeforeAll {
        $script:Source = New-SampleTree (Join-Path $TestDrive 'down-source')
        Sync-FtpFolder $Source.FullName /down | Out-Null
        $script:Target = Join-Path $TestDrive 'down-target/new'
    }

    It 'creates the local folder and makes it hold the remote one, times included' {
        $records = Sync-FtpFolder $Target /down -Direction Download
        $records | Should -HaveCount 11
        $records | ForEach-Object { "$($_.Action) $($_.Reason)" | Should -Be 'Download New' }
        Get-Tree -WithTime $Target | Should -Be (Get-Tree -WithTime (Get-ServerPath '/down'))
    }

    It 'a second run transfers nothing and reports every item Skip Same' {
        $records = Sync-FtpFolder $Target /down -Direction Download
        $records | ForEach-Object { "$($_.Action) $($_.Reason)" | Should -Be 'Skip Same' }
        $records | Should -HaveCount 11
    }

    It 'with -Mirror deletes the local extras only' {
        New-TestFile (Join-Path $Target 'local-only.txt') 3 1 | Out-Null
        $null = New-Item -ItemType Directory (Join-Path $Target 'local folder/inner')
        Remove-Item -LiteralPath (Get-ServerPath '/down/top.txt')
        $records = Sync-FtpFolder $Target /down -Direction Download -Mirror -Force | Where-Object Action -NE Skip
        Format-Records $records | Should -Be @('Delete Extra local folder/', 'Delete Extra local folder/inner/', 'Delete Extra local-only.txt', 'Delete Extra top.txt')
        Get-Tree -WithTime $Target | Should -Be (Get-Tree -WithTime (Get-ServerPath '/down'))
    }
}

Describe 'Sync-FtpFolder refuses bad input' {
    It 'a local path that is a file: NotADirectory' {
        $file = New-TestFile (Join-Path $TestDrive 'a-file.txt') 3 1
        { Sync-FtpFolder $file.FullName /x -ErrorAction Stop } | Should -Throw -ErrorId 'NotADirectory,*'
    }

    It 'a remote path that is a file: NotADirectory' {
        New-TestFile (Get-ServerPath '/remote-file.txt') 3 1 | Out-Null
        { Sync-FtpFolder $TestDrive /remote-file.txt -ErrorAction Stop } | Should -Throw -ErrorId 'NotADirectory,*'
    }

    It 'a local folder that does not exist, to upload: LocalItemNotFound' {
        { Sync-FtpFolder (Join-Path $TestDrive 'nothing here') /x -ErrorAction Stop } | Should -Throw -ErrorId 'LocalItemNotFound,*'
        Test-Path -LiteralPath (Get-ServerPath '/x') | Should -BeFalse
    }

    It 'a remote folder that does not exist, to download: ItemNotFound' {
        { Sync-FtpFolder (Join-Path $TestDrive 'nowhere') /not/there -Direction Download -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
    }

    It 'a file on one side where the other has a folder: SyncTypeConflict, and the rest goes on' {
        $tree = New-SampleTree (Join-Path $TestDrive 'conflict')
        $null = New-Item -ItemType Directory (Get-ServerPath '/conflict/top.txt')
        $records = Sync-FtpFolder $tree.FullName /conflict -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SyncTypeConflict,*'
        $records | Should -HaveCount 10
    }
}

Describe 'Sync-FtpFolder with 10,000 files' {
    It 'uploads them all, then a second run skips them all' {
        $folder = Join-Path $TestDrive 'many'
        foreach ($d in 0..99) {
            $sub = [IO.Directory]::CreateDirectory((Join-Path $folder "d$d")).FullName
            foreach ($f in 0..99) { [IO.File]::WriteAllText((Join-Path $sub "f$f.txt"), "$d/$f") }
        }
        $first = Sync-FtpFolder $folder /many
        @($first | Where-Object Action -EQ Upload).Count | Should -Be 10100
        $second = Sync-FtpFolder $folder /many
        @($second | Where-Object Action -EQ Skip).Count | Should -Be 10100
        @((Get-ChildItem -LiteralPath (Get-ServerPath '/many') -Recurse -File)).Count | Should -Be 10000
    }
}

Describe 'A sync cut half way' {
    BeforeAll {
        $script:Cut = New-Item -ItemType Directory (Join-Path $TestDrive 'cut')
        New-TestFile (Join-Path $Cut 'small.txt') 100 1 | Out-Null
        $stream = [IO.File]::Create((Join-Path $Cut 'large.bin'))
        try { $stream.SetLength(512MB) } finally { $stream.Dispose() }

        # Runs a sync in a shell of its own and stops it (as Ctrl+C does) once $Started says the large transfer is under way.
        function Stop-Midway([string] $Command, [scriptblock] $Started) {
            $shell = [PowerShell]::Create()
            try {
                $null = $shell.AddScript("param(`$m, `$p) Import-Module `$m; `$null = Connect-FtpSocket 127.0.0.1 -Port `$p; $Command").AddArgument($ModuleManifest).AddArgument($Server.Port)
                $running = $shell.BeginInvoke()
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (& $Started)) {
                    if ($running.AsyncWaitHandle.WaitOne(20)) { throw "The sync ended before it could be stopped: $($shell.Streams.Error)" }
                    if ([DateTime]::UtcNow -gt $deadline) { throw 'The sync did not start.' }
                }
                $shell.Stop()
            } finally {
                $shell.Dispose()
            }
        }
    }

    It 'leaves no half file on the server, and the next upload run finishes it, resuming' {
        $partials = Join-Path $Server.Root '.psftp/partial'
        Stop-Midway "Sync-FtpFolder '$($Cut.FullName)' /cut" {
            @(Get-ChildItem -LiteralPath $partials -Filter *.part -ErrorAction SilentlyContinue | Where-Object Length -GT 50MB).Count -gt 0
        }
        Test-Path -LiteralPath (Get-ServerPath '/cut/large.bin') | Should -BeFalse
        $all = Sync-FtpFolder $Cut.FullName /cut -Verbose 4>&1
        $records = $all | Where-Object { $_ -is [PSSocketFtp.Commands.FtpSyncAction] }
        Format-Records ($records | Where-Object RelativePath -EQ 'large.bin') | Should -Be 'Upload New large.bin'
        @($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like "Uploaded * to '/cut/large.bin': *; resumed from byte *" }) | Should -HaveCount 1
        (Get-Item -LiteralPath (Get-ServerPath '/cut/large.bin')).Length | Should -Be 512MB
        Sync-FtpFolder $Cut.FullName /cut | Where-Object Action -NE Skip | Should -BeNullOrEmpty
    }

    It 'leaves no half file locally, and the next download run finishes it, resuming' {
        $target = Join-Path $TestDrive 'cut-down'
        Stop-Midway "Sync-FtpFolder '$target' /cut -Direction Download" {
            @(Get-ChildItem -LiteralPath $target -Force -Filter '*.psftp-partial' -ErrorAction SilentlyContinue | Where-Object Length -GT 50MB).Count -gt 0
        }
        Test-Path -LiteralPath (Join-Path $target 'large.bin') | Should -BeFalse
        $all = Sync-FtpFolder $target /cut -Direction Download -Verbose 4>&1
        Format-Records ($all | Where-Object { $_ -is [PSSocketFtp.Commands.FtpSyncAction] -and $_.RelativePath -eq 'large.bin' }) | Should -Be 'Download New large.bin'
        @($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like "Downloaded '/cut/large.bin' to *; resumed from byte *" }) | Should -HaveCount 1
        (Get-Item -LiteralPath (Join-Path $target 'large.bin')).Length | Should -Be 512MB
        Get-ChildItem -LiteralPath $target -Force -Filter '*.psftp-partial*' | Should -BeNullOrEmpty
        Sync-FtpFolder $target /cut -Direction Download | Where-Object Action -NE Skip | Should -BeNullOrEmpty
    }
}
