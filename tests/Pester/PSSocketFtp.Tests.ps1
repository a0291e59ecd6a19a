#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every cmdlet and parameter against the real server process, as a user's automation script would run them.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    $script:Server = Start-TestServer
    $script:Local = Join-Path $TestDrive 'local'
    New-Item -ItemType Directory -Path $Local | Out-Null

    function Get-FreePort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }
    function Get-ServerFile([string] $RemotePath) { Join-Path $Server.Root $RemotePath.TrimStart('/') }
}

AfterAll {
    # Sessions outlive Remove-Module (the module's assembly stays loaded): leave none behind for the next file.
    Get-FtpSession | Disconnect-FtpSocket
    Get-Module PSSocketFtp | Remove-Module -Force
    Stop-TestServer $Server
}

Describe 'The module' {
    It 'exports exactly its cmdlets' {
        $expected = 'Connect-FtpSocket', 'Disconnect-FtpSocket', 'Get-FtpFileHash', 'Get-FtpItem', 'Get-FtpItemSize', 'Get-FtpSession',
            'Move-FtpItem', 'New-FtpItem', 'Receive-FtpFile', 'Remove-FtpItem', 'Rename-FtpItem', 'Send-FtpFile', 'Set-FtpDefaultSession',
            'Start-FtpSocketServer', 'Stop-FtpSocketServer', 'Sync-FtpFolder', 'Test-FtpItem'
        (Get-Command -Module PSSocketFtp).Name | Sort-Object | Should -Be $expected
    }

    It 'has the version of the build' {
        $props = [xml](Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props'))
        (Get-Module PSSocketFtp).Version | Should -Be ([version]$props.Project.PropertyGroup[0].Version)
    }

    It 'loads its dependencies from its dependencies folder in a load context of its own' {
        # PowerShell cannot resolve type names from a separate load context by name, which is the point; go through a parameter type.
        $client = (Get-Command Get-FtpItem).Parameters['Session'].ParameterType.Assembly
        $client.Location | Should -BeLike "*$([IO.Path]::DirectorySeparatorChar)dependencies$([IO.Path]::DirectorySeparatorChar)*"
        [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($client) | Should -Not -Be ([Runtime.Loader.AssemblyLoadContext]::Default)
    }

    It 'hashes with the vectorized .NET 8 build of System.IO.Hashing, not its netstandard2.0 build' {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        Set-Content TestDrive:/hashed.txt 'verified on the way'
        $null = Send-FtpFile TestDrive:/hashed.txt -Destination /hashing/
        $client = (Get-Command Get-FtpItem).Parameters['Session'].ParameterType.Assembly
        $hashing = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($client).Assemblies | Where-Object { $_.GetName().Name -eq 'System.IO.Hashing' }
        $hashing.Location | Should -BeLike "*$([IO.Path]::DirectorySeparatorChar)dependencies$([IO.Path]::DirectorySeparatorChar)net8.0$([IO.Path]::DirectorySeparatorChar)System.IO.Hashing.dll"
        Disconnect-FtpSocket
    }
}

Describe 'Without a session' {
    BeforeAll { Get-FtpSession | Disconnect-FtpSocket }

    It 'Get-FtpItem says there is no session' {
        { Get-FtpItem -ErrorAction Stop } | Should -Throw -ErrorId 'NoSession,*'
    }
}

Describe 'Connect-FtpSocket' {
    It 'outputs a session and makes it the default' {
        $session = Connect-FtpSocket -ComputerName 127.0.0.1 -Port $Server.Port
        $session.ComputerName | Should -Be '127.0.0.1'
        $session.Port | Should -Be $Server.Port
        $session.IsConnected | Should -BeTrue
        { Get-FtpItem -ErrorAction Stop } | Should -Not -Throw
    }

    It 'takes the computer name by position and the retry settings by name' {
        $session = Connect-FtpSocket 127.0.0.1 -Port $Server.Port -RetryCount 1 -TimeoutSec 5
        $session.RetryCount | Should -Be 1
        $session.ConnectTimeout | Should -Be ([TimeSpan]::FromSeconds(5))
        $session.NoProgressTimeout | Should -Be ([TimeSpan]::FromSeconds(5))
    }

    It 'takes each timeout on its own' {
        $session = Connect-FtpSocket 127.0.0.1 -Port $Server.Port -ConnectTimeoutSec 7 -NoProgressTimeoutSec 8 -IdleTimeoutSec 9
        $session.ConnectTimeout | Should -Be ([TimeSpan]::FromSeconds(7))
        $session.NoProgressTimeout | Should -Be ([TimeSpan]::FromSeconds(8))
        $session.IdleTimeout | Should -Be ([TimeSpan]::FromSeconds(9))
    }

    It 'fails with ConnectFailed when nothing listens' {
        $port = Get-FreePort
        { Connect-FtpSocket 127.0.0.1 -Port $port -RetryCount 0 -TimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectFailed,*'
    }

    It 'is cancelled by Ctrl+C (StopProcessing) while the server does not answer' {
        $silent = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $silent.Start()
        $shell = [PowerShell]::Create()
        try {
            $null = $shell.AddScript('param($m, $p) Import-Module $m; Connect-FtpSocket 127.0.0.1 -Port $p -TimeoutSec 600').AddArgument($ModuleManifest).AddArgument($silent.LocalEndpoint.Port)
            $running = $shell.BeginInvoke()
            $accepted = $silent.AcceptTcpClientAsync()
            $accepted.Wait([TimeSpan]::FromSeconds(30)) | Should -BeTrue
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $running.IsCompleted | Should -BeTrue
            $watch.Elapsed | Should -BeLessThan ([TimeSpan]::FromSeconds(5))
        } finally {
            $shell.Dispose()
            $silent.Stop()
        }
    }
}

Describe 'Send-FtpFile' {
    BeforeAll {
        $script:Session = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $script:Sample = New-TestFile (Join-Path $Local 'sample.bin') 300000 1
    }

    It 'uploads a file and reports the final name, size and duration' {
        $result = Send-FtpFile -Path $Sample.FullName
        $result.RemotePath | Should -Be '/sample.bin'
        $result.Length | Should -Be 300000
        $result.Renamed | Should -BeFalse
        $result.Duration | Should -BeOfType [TimeSpan]
        (Get-FileHash -LiteralPath (Get-ServerFile '/sample.bin')).Hash | Should -Be (Get-FileHash -LiteralPath $Sample.FullName).Hash
    }

    It 'reports the hash that checked the copy, with SHA256 on request' {
        $file = New-TestFile (Join-Path $Local 'hashed.bin') 70000 12
        $result = Send-FtpFile $file.FullName -Algorithm SHA256
        $result.Algorithm | Should -Be 'SHA256'
        $result.Hash | Should -Be (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash
        (Send-FtpFile $file.FullName -Conflict Overwrite).Algorithm | Should -Be 'XXH128'
    }

    It 'stores a second upload of the same name as name_1.ext and keeps the first' {
        $second = New-TestFile (Join-Path $TestDrive 'sample.bin') 1000 2
        $result = Send-FtpFile $second.FullName
        $result.RemotePath | Should -Be '/sample_1.bin'
        $result.Renamed | Should -BeTrue
        (Get-Item -LiteralPath (Get-ServerFile '/sample.bin')).Length | Should -Be 300000
        (Get-Item -LiteralPath (Get-ServerFile '/sample_1.bin')).Length | Should -Be 1000
    }

    It 'uploads what Get-ChildItem pipes into a destination folder' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'csv')
        1..3 | ForEach-Object { Set-Content -LiteralPath (Join-Path $dir "part$_.csv") "a,b`n$_,$_" }
        $results = Get-ChildItem (Join-Path $dir '*.csv') | Send-FtpFile -Destination '/csv/'
        $results.RemotePath | Sort-Object | Should -Be '/csv/part1.csv', '/csv/part2.csv', '/csv/part3.csv'
    }

    It 'expands wildcards in -Path and resolves relative paths against the current location' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'wild')
        'x' | Set-Content -LiteralPath (Join-Path $dir 'one.log')
        'y' | Set-Content -LiteralPath (Join-Path $dir 'two.log')
        Push-Location -LiteralPath $dir
        try {
            $results = Send-FtpFile -Path './*.log' -Destination 'wild/'
        } finally {
            Pop-Location
        }
        $results.RemotePath | Sort-Object | Should -Be '/wild/one.log', '/wild/two.log'
    }

    It 'stores under a new name when -Destination names a file' {
        (Send-FtpFile $Sample.FullName -Destination '/renamed/copy.bin').RemotePath | Should -Be '/renamed/copy.bin'
    }

    It 'replaces with -Conflict Overwrite and refuses with -Conflict Fail' {
        $small = New-TestFile (Join-Path $TestDrive 'over.bin') 10 3
        Send-FtpFile $small.FullName | Out-Null
        $bigger = New-TestFile (Join-Path $Local 'over.bin') 20 4
        (Send-FtpFile $bigger.FullName -Conflict Overwrite).RemotePath | Should -Be '/over.bin'
        (Get-Item -LiteralPath (Get-ServerFile '/over.bin')).Length | Should -Be 20
        { Send-FtpFile $bigger.FullName -Conflict Fail -ErrorAction Stop } | Should -Throw -ErrorId 'AlreadyExists,*'
    }

    It 'writes an error for a missing local file and goes on with the rest' {
        $good = New-TestFile (Join-Path $Local 'good.bin') 5 5
        $results = Send-FtpFile -LiteralPath (Join-Path $Local 'missing.bin'), $good.FullName -ErrorVariable failures -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'LocalItemNotFound,*'
    }

    It 'refuses a destination outside the root with InvalidPath' {
        { Send-FtpFile $Sample.FullName -Destination '../escape/' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
        Test-Path -LiteralPath (Join-Path (Split-Path $Server.Root) 'escape') | Should -BeFalse
    }

    It 'uploads nothing with -WhatIf' {
        $file = New-TestFile (Join-Path $Local 'whatif.bin') 5 6
        Send-FtpFile $file.FullName -WhatIf
        Test-Path -LiteralPath (Get-ServerFile '/whatif.bin') | Should -BeFalse
    }

    It 'keeps the last write time to the millisecond, up and back down' {
        $file = New-TestFile (Join-Path $Local 'dated.bin') 50 8
        $file.LastWriteTimeUtc = [datetime]::new(2012, 3, 4, 5, 6, 7, 891, [DateTimeKind]::Utc).AddTicks(2345)
        $null = Send-FtpFile $file.FullName -Destination '/dated/'
        $remote = (Get-FtpItem '/dated/dated.bin').LastWriteTimeUtc
        $remote | Should -Be ([datetime]::new(2012, 3, 4, 5, 6, 7, 891, [DateTimeKind]::Utc))

        $back = New-Item -ItemType Directory (Join-Path $TestDrive 'dated-back')
        $null = Receive-FtpFile '/dated/dated.bin' -Destination $back.FullName
        (Get-ChildItem -LiteralPath (Join-Path $back.FullName 'dated.bin')).LastWriteTimeUtc | Should -Be $remote
    }

    It 'uses the session given by -Session' {
        $other = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $file = New-TestFile (Join-Path $Local 'explicit.bin') 7 7
        (Send-FtpFile $file.FullName -Session $other).RemotePath | Should -Be '/explicit.bin'
    }
}

Describe 'Get-FtpItem' {
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'tree')
        New-TestFile (Join-Path $dir 'a.log') 11 1 | Out-Null
        New-TestFile (Join-Path $dir 'b.log') 12 2 | Out-Null
        New-TestFile (Join-Path $dir 'c.txt') 13 3 | Out-Null
        Get-ChildItem -LiteralPath $dir | Send-FtpFile -Destination '/tree/' | Out-Null
        Get-ChildItem (Join-Path $dir '*.log') | Send-FtpFile -Destination '/tree/deeper/' | Out-Null
    }

    It 'lists a folder with the properties of a file listing' {
        $items = Get-FtpItem '/tree'
        $items.Name | Sort-Object | Should -Be 'a.log', 'b.log', 'c.txt', 'deeper'
        $log = $items | Where-Object Name -EQ 'a.log'
        $log.FullName | Should -Be '/tree/a.log'
        $log.Length | Should -Be 11
        $log.IsDirectory | Should -BeFalse
        $log.LastWriteTime | Should -BeOfType [DateTime]
        ($items | Where-Object Name -EQ 'deeper').IsDirectory | Should -BeTrue
    }

    It 'lists the root by default' {
        (Get-FtpItem).Name | Should -Contain 'tree'
    }

    It 'lists everything below with -Recurse' {
        (Get-FtpItem '/tree' -Recurse).FullName | Should -Contain '/tree/deeper/b.log'
    }

    It 'expands wildcards, also with -Recurse' {
        (Get-FtpItem '/tree/*.log').Name | Sort-Object | Should -Be 'a.log', 'b.log'
        (Get-FtpItem '/tree/*.log' -Recurse).FullName | Sort-Object | Should -Be '/tree/a.log', '/tree/b.log', '/tree/deeper/a.log', '/tree/deeper/b.log'
    }

    It 'accepts backslashes and takes -LiteralPath' {
        (Get-FtpItem '\tree\c.txt').FullName | Should -Be '/tree/c.txt'
        (Get-FtpItem -LiteralPath '/tree/c.txt').Length | Should -Be 13
    }

    It 'reports a missing item with ItemNotFound and goes on' {
        $found = Get-FtpItem '/nothing-here', '/tree/c.txt' -ErrorVariable failures -ErrorAction SilentlyContinue
        $found.FullName | Should -Be '/tree/c.txt'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ItemNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a hostile path with InvalidPath' {
        { Get-FtpItem '../../etc' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPath,*'
    }

    It 'completes remote paths on Tab, folders first with a trailing /' {
        $line = 'Get-FtpItem /tree/'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be '/tree/deeper/', '/tree/a.log', '/tree/b.log', '/tree/c.txt'
    }

    It 'formats items like Get-ChildItem' {
        $text = Get-FtpItem '/tree' | Out-String
        $text | Should -Match 'Mode\s+LastWriteTime\s+Length\s+Name'
        $text | Should -Match 'a\.log'
    }
}

Describe 'Get-FtpItemSize' {
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $big = New-TestFile (Join-Path $Local 'two-mb.bin') (2MB + 512KB) 9
        Send-FtpFile $big.FullName -Destination '/sizes/' | Out-Null
    }

    It 'reports bytes and megabytes' {
        $size = Get-FtpItemSize '/sizes/two-mb.bin'
        $size.Path | Should -Be '/sizes/two-mb.bin'
        $size.Length | Should -Be (2MB + 512KB)
        $size.SizeMB | Should -Be 2.5
    }

    It 'takes items piped from Get-FtpItem' {
        (Get-FtpItem '/sizes' | Get-FtpItemSize).Length | Should -Be (2MB + 512KB)
    }

    It 'reports a missing file with ItemNotFound' {
        { Get-FtpItemSize '/sizes/none.bin' -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
    }

    It 'adds up the files of a folder and its subfolders, and counts them' {
        $first = New-TestFile (Join-Path $Local 'first.bin') 1000 10
        $second = New-TestFile (Join-Path $Local 'second.bin') 2000 11
        Send-FtpFile $first.FullName -Destination '/summed/one/' | Out-Null
        Send-FtpFile $second.FullName -Destination '/summed/one/two/' | Out-Null
        Send-FtpFile $first.FullName -Destination '/summed/' | Out-Null

        $size = Get-FtpItemSize '/summed'

        $size.Path | Should -Be '/summed'
        $size.Length | Should -Be 4000
        $size.FileCount | Should -Be 3
        (Get-FtpItemSize '/sizes/two-mb.bin').FileCount | Should -Be 1
    }
}

Describe 'Receive-FtpFile' {
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $script:Source = New-TestFile (Join-Path $Local 'down.bin') 1234567 11
        Send-FtpFile $Source.FullName -Destination '/down/' | Out-Null
        'log one' | Set-Content -LiteralPath (Join-Path $Local 'x1.log')
        'log two' | Set-Content -LiteralPath (Join-Path $Local 'x2.log')
        Get-ChildItem (Join-Path $Local 'x?.log') | Send-FtpFile -Destination '/down/' | Out-Null
    }

    It 'downloads into the current location by default' {
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'here')
        Push-Location -LiteralPath $target
        try {
            $result = Receive-FtpFile '/down/down.bin'
        } finally {
            Pop-Location
        }
        $result.LocalPath | Should -Be (Join-Path $target 'down.bin')
        $result.Length | Should -Be 1234567
        (Get-FileHash -LiteralPath (Join-Path $target 'down.bin')).Hash | Should -Be (Get-FileHash -LiteralPath $Source.FullName).Hash
    }

    It 'downloads what Get-FtpItem pipes, with wildcards' {
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'logs')
        $results = Get-FtpItem '/down/*.log' | Receive-FtpFile -Destination $target
        $results.Count | Should -Be 2
        Get-Content -LiteralPath (Join-Path $target 'x2.log') | Should -Be 'log two'
    }

    It 'refuses to replace a local file without -Force, and replaces it with -Force' {
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'exists')
        'old' | Set-Content -LiteralPath (Join-Path $target 'x1.log')
        { Receive-FtpFile '/down/x1.log' -Destination $target -ErrorAction Stop } | Should -Throw -ErrorId 'LocalFileExists,*'
        Get-Content -LiteralPath (Join-Path $target 'x1.log') | Should -Be 'old'
        Receive-FtpFile '/down/x1.log' -Destination $target -Force | Out-Null
        Get-Content -LiteralPath (Join-Path $target 'x1.log') | Should -Be 'log one'
    }

    It 'saves under another name when -Destination is a file path' {
        $file = Join-Path $TestDrive 'other-name.log'
        (Receive-FtpFile '/down/x1.log' -Destination $file).LocalPath | Should -Be $file
        Get-Content -LiteralPath $file | Should -Be 'log one'
    }

    It 'reports a missing remote file with ItemNotFound and leaves no local file' {
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'missing')
        { Receive-FtpFile '/down/none.bin' -Destination $target -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
        Get-ChildItem -LiteralPath $target -Force | Should -BeNullOrEmpty
    }
}

Describe 'A window of requests across the pipeline input' {
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $script:WindowDir = New-Item -ItemType Directory (Join-Path $TestDrive 'window')
        # Not in name order, and of different sizes, so that only the input gives the order. The runner sets
        # $ErrorActionPreference to Stop: the failing item needs -ErrorAction Continue to stay non-terminating.
        $script:WindowFiles = foreach ($i in 0..99) { New-TestFile (Join-Path $WindowDir ('f{0:D3}.bin' -f (($i * 37) % 100))) (1 + ($i * 7919) % 20000) $i }
        # Each test's deadline: a window that stalls fails here instead of at the run's timeout.
        $script:Deadline = [TimeSpan]::FromSeconds(120)
    }

    It 'uploads in input order, with a failing item reported in its place (-ThrottleLimit <Limit>)' -ForEach @(@{ Limit = 1 }, @{ Limit = 32 }) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $folder = "/window$Limit/"
        Send-FtpFile $WindowFiles[50].FullName -Destination $folder | Out-Null
        $merged = $WindowFiles.FullName | Send-FtpFile -Destination $folder -Conflict Fail -ThrottleLimit $Limit -ErrorAction Continue 2>&1 |
            ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { 'error ' + $_.FullyQualifiedErrorId.Split(',')[0] } else { $_.RemotePath } }
        $expected = @($WindowFiles | ForEach-Object { $folder + $_.Name })
        $expected[50] = 'error AlreadyExists'
        $merged | Should -Be $expected
        foreach ($file in $WindowFiles) {
            (Get-FileHash -LiteralPath (Get-ServerFile ($folder + $file.Name))).Hash | Should -Be (Get-FileHash -LiteralPath $file.FullName).Hash
        }
        $watch.Elapsed | Should -BeLessThan $Deadline
    }

    It 'downloads what Get-FtpItem pipes in its order, each file whole' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'window-down')
        $listed = (Get-FtpItem '/window32').FullName
        $results = Get-FtpItem '/window32' | Receive-FtpFile -Destination $target
        $results.RemotePath | Should -Be $listed
        foreach ($file in $WindowFiles) {
            (Get-FileHash -LiteralPath (Join-Path $target $file.Name)).Hash | Should -Be (Get-FileHash -LiteralPath $file.FullName).Hash
        }
        $watch.Elapsed | Should -BeLessThan $Deadline
    }

    It 'starts nothing with -WhatIf, and deletes them all with -Force' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Get-FtpItem '/window1' | Remove-FtpItem -WhatIf
        @(Get-ChildItem -LiteralPath (Get-ServerFile '/window1')).Count | Should -Be 100
        Get-FtpItem '/window1' | Remove-FtpItem -Force
        Get-ChildItem -LiteralPath (Get-ServerFile '/window1') | Should -BeNullOrEmpty
        $watch.Elapsed | Should -BeLessThan $Deadline
    }
}

Describe 'Local paths with [ and ]' {
    # '[1]' is a wildcard pattern to PowerShell: a literal path must stay literal all the way to the file.
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $script:Brackets = New-Item -ItemType Directory (Join-Path $TestDrive 'in[1]')
        $script:Bracketed = New-TestFile (Join-Path $Brackets 'x[1].bin') 4321 21
    }

    It 'Send-FtpFile -LiteralPath uploads a file of a folder whose names have brackets' {
        $result = Send-FtpFile -LiteralPath $Bracketed.FullName -Destination '/brackets/'
        $result.RemotePath | Should -Be '/brackets/x[1].bin'
        (Get-FileHash -LiteralPath (Get-ServerFile '/brackets/x[1].bin')).Hash | Should -Be (Get-FileHash -LiteralPath $Bracketed.FullName).Hash
    }

    It 'Send-FtpFile takes such files piped from Get-ChildItem, and escaped wildcards in -Path' {
        (Get-ChildItem -LiteralPath $Brackets | Send-FtpFile -Destination '/brackets/piped/').RemotePath | Should -Be '/brackets/piped/x[1].bin'
        (Send-FtpFile -Path (Join-Path ([WildcardPattern]::Escape($Brackets.FullName)) '*.bin') -Destination '/brackets/wild/').RemotePath | Should -Be '/brackets/wild/x[1].bin'
    }

    It 'Receive-FtpFile -Destination downloads into a folder with brackets, existing or to create' {
        Send-FtpFile -LiteralPath $Bracketed.FullName -Destination '/brackets/down/' -Conflict Overwrite | Out-Null
        $into = New-Item -ItemType Directory (Join-Path $TestDrive 'out[2]')
        (Receive-FtpFile -LiteralPath '/brackets/down/x[1].bin' -Destination $into.FullName).LocalPath | Should -Be (Join-Path $into.FullName 'x[1].bin')
        $created = Join-Path $TestDrive 'new[3]'
        Receive-FtpFile -LiteralPath '/brackets/down/x[1].bin' -Destination "$created/" | Out-Null
        (Get-FileHash -LiteralPath (Join-Path $created 'x[1].bin')).Hash | Should -Be (Get-FileHash -LiteralPath $Bracketed.FullName).Hash
    }

    It 'Receive-FtpFile saves under a file name with brackets, and into a current location with brackets' {
        Send-FtpFile -LiteralPath $Bracketed.FullName -Destination '/brackets/name/' -Conflict Overwrite | Out-Null
        $file = Join-Path $TestDrive 'y[4].bin'
        (Receive-FtpFile -LiteralPath '/brackets/name/x[1].bin' -Destination $file).LocalPath | Should -Be $file
        $here = New-Item -ItemType Directory (Join-Path $TestDrive 'here[5]')
        Push-Location -LiteralPath $here
        try {
            $result = Receive-FtpFile -LiteralPath '/brackets/name/x[1].bin'
        } finally {
            Pop-Location
        }
        $result.LocalPath | Should -Be (Join-Path $here.FullName 'x[1].bin')
        Test-Path -LiteralPath $result.LocalPath | Should -BeTrue
    }
}

Describe 'Get-FtpFileHash' {
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $script:Hashed = New-TestFile (Join-Path $Local 'remote-hash.bin') 123456 13
        Send-FtpFile $Hashed.FullName -Destination '/hash/' | Out-Null
    }

    It 'matches Get-FileHash with -Algorithm SHA256' {
        $remote = Get-FtpFileHash '/hash/remote-hash.bin' -Algorithm SHA256
        $remote.Algorithm | Should -Be 'SHA256'
        $remote.Path | Should -Be '/hash/remote-hash.bin'
        $remote.Hash | Should -Be (Get-FileHash -LiteralPath $Hashed.FullName -Algorithm SHA256).Hash
    }

    It 'uses XXH128 by default and takes items piped from Get-FtpItem' {
        $remote = Get-FtpItem '/hash/*.bin' | Get-FtpFileHash
        $remote.Algorithm | Should -Be 'XXH128'
        $remote.Hash | Should -Match '^[0-9A-F]{32}$'
    }

    It 'reports a missing file with ItemNotFound' {
        { Get-FtpFileHash '/hash/none.bin' -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
    }
}

Describe 'Ctrl+C in the middle of a large transfer' {
    BeforeAll {
        $script:Large = Join-Path $Local 'large.bin'
        $stream = [IO.File]::Create($Large)
        try { $stream.SetLength(1GB) } finally { $stream.Dispose() }

        # Runs one command in a shell of its own, stops it once $Started says the transfer is under way, and says how long stopping took.
        function Stop-Midway([string] $Command, [scriptblock] $Started) {
            $shell = [PowerShell]::Create()
            try {
                $null = $shell.AddScript("param(`$m, `$p, `$f) Import-Module `$m; `$null = Connect-FtpSocket 127.0.0.1 -Port `$p; $Command").AddArgument($ModuleManifest).AddArgument($Server.Port).AddArgument($Large)
                $running = $shell.BeginInvoke()
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (& $Started)) {
                    if ($running.AsyncWaitHandle.WaitOne(20)) { throw "The transfer ended before it could be stopped: $($shell.Streams.Error)" }
                    if ([DateTime]::UtcNow -gt $deadline) { throw 'The transfer did not start.' }
                }
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $shell.Stop()
                $watch.Elapsed
            } finally {
                $shell.Dispose()
            }
        }
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
    }

    It 'stops an upload within a second and the same command resumes it' {
        $partials = Join-Path $Server.Root '.psftp/partial'
        $stopTime = Stop-Midway 'Send-FtpFile $f -Destination /large/' {
            @(Get-ChildItem -LiteralPath $partials -Filter *.part -ErrorAction SilentlyContinue | Where-Object Length -GT 50MB).Count -gt 0
        }
        $stopTime | Should -BeLessThan ([TimeSpan]::FromSeconds(1))
        Test-Path -LiteralPath (Get-ServerFile '/large/large.bin') | Should -BeFalse
        $all = Send-FtpFile $Large -Destination /large/ -Verbose 4>&1
        $result = $all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $result.ResumedFrom | Should -BeGreaterThan 0
        $all.Where({ $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "Uploaded * to '/large/large.bin': *; resumed from byte $($result.ResumedFrom)*" }).Count | Should -Be 1
        $result.RemotePath | Should -Be '/large/large.bin'
        (Get-Item -LiteralPath (Get-ServerFile '/large/large.bin')).Length | Should -Be 1GB
    }

    It 'stops a download within a second and the same command resumes it' {
        $target = New-Item -ItemType Directory (Join-Path $TestDrive 'large-down')
        $stopTime = Stop-Midway "Receive-FtpFile /large/large.bin -Destination '$target'" {
            @(Get-ChildItem -LiteralPath $target -Force -Filter '*.psftp-partial' | Where-Object Length -GT 50MB).Count -gt 0
        }
        $stopTime | Should -BeLessThan ([TimeSpan]::FromSeconds(1))
        Test-Path -LiteralPath (Join-Path $target 'large.bin') | Should -BeFalse
        $all = Receive-FtpFile /large/large.bin -Destination $target -Verbose 4>&1
        $result = $all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $result.ResumedFrom | Should -BeGreaterThan 0
        $all.Where({ $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "Downloaded '/large/large.bin' to *; resumed from byte $($result.ResumedFrom)*" }).Count | Should -Be 1
        (Get-Item -LiteralPath (Join-Path $target 'large.bin')).Length | Should -Be 1GB
        Get-ChildItem -LiteralPath $target -Force -Filter '*.psftp-partial*' | Should -BeNullOrEmpty
    }
}

Describe 'Remove-FtpItem' {
    BeforeEach {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $file = New-TestFile (Join-Path $Local 'gone.bin') 3 1
        Send-FtpFile $file.FullName -Destination '/rm/' -Conflict Overwrite | Out-Null
        Send-FtpFile $file.FullName -Destination '/rm/sub/' -Conflict Overwrite | Out-Null
    }

    It 'deletes nothing with -WhatIf' {
        Remove-FtpItem '/rm/gone.bin' -WhatIf
        Test-Path -LiteralPath (Get-ServerFile '/rm/gone.bin') | Should -BeTrue
    }

    It 'deletes a file with -Force, without asking' {
        Remove-FtpItem '/rm/gone.bin' -Force
        Test-Path -LiteralPath (Get-ServerFile '/rm/gone.bin') | Should -BeFalse
    }

    It 'deletes with -Confirm:$false' {
        Remove-FtpItem '/rm/gone.bin' -Confirm:$false
        Test-Path -LiteralPath (Get-ServerFile '/rm/gone.bin') | Should -BeFalse
    }

    It 'deletes what Get-FtpItem pipes' {
        Get-FtpItem '/rm/*.bin' | Remove-FtpItem -Force
        Test-Path -LiteralPath (Get-ServerFile '/rm/gone.bin') | Should -BeFalse
        Test-Path -LiteralPath (Get-ServerFile '/rm/sub/gone.bin') | Should -BeTrue
    }

    It 'needs -Recurse for a folder with content' {
        { Remove-FtpItem '/rm/sub' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'DirectoryNotEmpty,*'
        Remove-FtpItem '/rm/sub' -Recurse -Force
        Test-Path -LiteralPath (Get-ServerFile '/rm/sub') | Should -BeFalse
    }

    It 'reports a missing item with ItemNotFound' {
        { Remove-FtpItem '/rm/none.bin' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ItemNotFound,*'
    }
}

Describe 'New-FtpItem' {
    BeforeEach {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
    }

    It 'creates a folder with its parents, once' {
        $path = "/mk/$(New-Guid)/a/b"
        $item = New-FtpItem $path -ItemType Directory
        $item.FullName | Should -Be $path
        $item.IsDirectory | Should -BeTrue
        Test-Path -LiteralPath (Get-ServerFile $path) -PathType Container | Should -BeTrue
        { New-FtpItem $path -ItemType Directory -ErrorAction Stop } | Should -Throw -ErrorId 'AlreadyExists,*'
        (New-FtpItem $path -ItemType Directory -Force).FullName | Should -Be $path
    }
}

Describe 'Test-FtpItem' {
    BeforeAll {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $file = New-TestFile (Join-Path $Local 'there.bin') 3 1
        Send-FtpFile $file.FullName -Destination '/test/' -Conflict Overwrite | Out-Null
    }

    It 'answers like Test-Path' {
        Test-FtpItem '/test/there.bin' | Should -BeTrue
        Test-FtpItem '/test/there.bin' -PathType Container | Should -BeFalse
        Test-FtpItem '/test' -PathType Container | Should -BeTrue
        Test-FtpItem '/test/*.bin' -PathType Leaf | Should -BeTrue
        Test-FtpItem '/test/none.bin', '/test/*.txt' | Should -Be @($false, $false)
    }

    It 'answers $false for a path outside the root, without an error' {
        Test-FtpItem '../x' -ErrorAction Stop | Should -BeFalse
    }
}

Describe 'Disconnect-FtpSocket' {
    # Each test starts with no session, whatever the tests before left open.
    BeforeEach { Get-FtpSession | Disconnect-FtpSocket }

    It 'closes the default session, after which there is none' {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        Disconnect-FtpSocket
        { Get-FtpItem -ErrorAction Stop } | Should -Throw -ErrorId 'NoSession,*'
    }

    It 'makes the most recent session still open the default when it closes the default' {
        $first = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $second = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $third = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $second | Disconnect-FtpSocket
        Disconnect-FtpSocket
        $first.IsDefault | Should -BeTrue
        { Get-FtpItem -ErrorAction Stop } | Should -Not -Throw
        $third.IsOpen | Should -BeFalse
    }

    It 'closes sessions from the pipeline, and a closed session is refused' {
        $one = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $two = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $one, $two | Disconnect-FtpSocket
        $one.IsConnected | Should -BeFalse
        { Get-FtpItem -Session $two -ErrorAction Stop } | Should -Throw -ErrorId 'SessionClosed,*'
    }
}

Describe 'Get-FtpSession, Set-FtpDefaultSession and Connect-FtpSocket -NoDefault' {
    BeforeEach { Get-FtpSession | Disconnect-FtpSocket }

    It 'Get-FtpSession lists the open sessions, the oldest first, the default marked' {
        $first = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $closed = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $last = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $closed | Disconnect-FtpSocket
        $sessions = Get-FtpSession
        $sessions.Id | Should -Be $first.Id, $last.Id
        $sessions.IsDefault | Should -Be $false, $true
    }

    It 'Get-FtpSession lists nothing, and no error, without a session' {
        Get-FtpSession | Should -BeNullOrEmpty
    }

    It 'Get-FtpSession shows the sessions in 80 columns' {
        $null = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $lines = (Get-FtpSession | Out-String -Width 80) -split '\r?\n' | Where-Object { $_ }
        $lines[0] | Should -Match '^IsDefault\s+ComputerName\s+Port\s+UserName\s+UseTls\s+ConnectedAt$'
        $lines[2] | Should -Match "^True\s+127\.0\.0\.1\s+$($Server.Port)\s+False\s"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 79 }
    }

    It 'Connect-FtpSocket -NoDefault keeps the default, and alone leaves no default' {
        $default = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $aside = Connect-FtpSocket 127.0.0.1 -Port $Server.Port -NoDefault
        $default.IsDefault | Should -BeTrue
        $aside.IsDefault | Should -BeFalse
        (Get-FtpSession).Id | Should -Contain $aside.Id
        Get-FtpItem -Session $aside | Out-Null
        $default | Disconnect-FtpSocket
        # A session connected aside never becomes the default by itself.
        { Get-FtpItem -ErrorAction Stop } | Should -Throw -ErrorId 'NoSession,*'
    }

    It 'Set-FtpDefaultSession makes a session from the pipeline the default' {
        $first = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $aside = Connect-FtpSocket 127.0.0.1 -Port $Server.Port -NoDefault
        Get-FtpSession | Where-Object Id -EQ $aside.Id | Set-FtpDefaultSession
        $aside.IsDefault | Should -BeTrue
        $first.IsDefault | Should -BeFalse
        Set-FtpDefaultSession $first
        $first.IsDefault | Should -BeTrue
    }

    It 'Get-FtpSession never keeps a session closed without Disconnect-FtpSocket as the default' {
        $first = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $second = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $second.Dispose()
        $sessions = Get-FtpSession
        $sessions.Id | Should -Be $first.Id
        $sessions.IsDefault | Should -BeTrue
        $second.IsDefault | Should -BeFalse
        { Get-FtpItem -ErrorAction Stop } | Should -Not -Throw
    }

    It 'Set-FtpDefaultSession refuses a closed session with SessionClosed and keeps the default' {
        $default = Connect-FtpSocket 127.0.0.1 -Port $Server.Port
        $closed = Connect-FtpSocket 127.0.0.1 -Port $Server.Port -NoDefault
        $closed | Disconnect-FtpSocket
        { Set-FtpDefaultSession -Session $closed -ErrorAction Stop } | Should -Throw -ErrorId 'SessionClosed,*'
        $default.IsDefault | Should -BeTrue
    }
}
