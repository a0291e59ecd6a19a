using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Loader;
using PSSocketFtp.TestSupport;
using Xunit.Abstractions;

namespace PSSocketFtp.Module.Tests;

/// <summary>Each cmdlet against the real server, in a fresh runspace per test, each test in a remote folder of its own.</summary>
public sealed partial class CmdletTests : IClassFixture<ServerFixture>, IDisposable
{
    private readonly ServerFixture _server;
    private readonly ModuleShell _shell = new();
    private readonly string _local = Directory.CreateTempSubdirectory("psftp-module-local-").FullName;
    private readonly string _remote = "/t" + Guid.NewGuid().ToString("N");

    private readonly ITestOutputHelper _output;

    public CmdletTests(ServerFixture server, ITestOutputHelper output)
    {
        _server = server;
        _output = output;
    }

    [Fact]
    public void ConnectFtpSocket_ServerListens_OutputsSessionThatBecomesTheDefault()
    {
        var session = Connect();

        Assert.Equal(_server.Port, (int)session.Properties["Port"].Value);
        Assert.True((bool)session.Properties["IsConnected"].Value);
        var (_, errors) = _shell.Run("Get-FtpItem");
        Assert.Empty(errors);
    }

    [Fact]
    public void ConnectFtpSocket_NothingListens_ThrowsConnectFailed()
    {
        var error = _shell.RunFailing("Connect-FtpSocket 127.0.0.1 -Port $args[0] -RetryCount 0 -TimeoutSec 5", FreePort());

        Errors.AssertError(error, "ConnectFailed", ErrorCategory.ConnectionError);
    }

    [Fact]
    public async Task ConnectFtpSocket_Stopped_EndsAtOnce()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            using var shell = _shell.Create("Connect-FtpSocket 127.0.0.1 -Port $args[0] -TimeoutSec 600", ((IPEndPoint)silent.LocalEndpoint).Port);
            var running = shell.BeginInvoke();
            using var accepted = await silent.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var watch = Stopwatch.StartNew();

            shell.Stop();

            Assert.True(running.IsCompleted);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Stopping took {watch.Elapsed}.");
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public void ImportModule_AfterConnect_DependenciesLoadFromDependenciesFolderInOwnContext()
    {
        Connect();
        _shell.Run("Get-FtpItem");
        string dependencies = Path.GetFullPath(Path.Join(TestPaths.Module, "dependencies")) + Path.DirectorySeparatorChar;
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic).ToList();

        foreach (string name in new[] { "PSSocketFtp.Client", "PSSocketFtp.Protocol", "Polly.Core" })
        {
            var assembly = Assert.Single(loaded, a => a.GetName().Name == name);
            Assert.StartsWith(dependencies, assembly.Location, StringComparison.Ordinal);
            Assert.NotSame(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(assembly));
        }
        // What the runtime has itself stays with the runtime, so Span<T> and friends remain one type for everyone.
        Assert.DoesNotContain(loaded, a => a.GetName().Name == "System.Memory" && a.Location.StartsWith(dependencies, StringComparison.Ordinal));
        var commands = Assert.Single(loaded, a => a.GetName().Name == "PSSocketFtp.Commands");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(commands));
    }

    [Fact]
    public void SendFtpFile_NewFile_UploadsAndReportsTheRemotePath()
    {
        Connect();
        string file = LocalFile("data.bin", 300_000);

        var (output, errors) = _shell.Run("Send-FtpFile $args[0] -Destination $args[1] | ForEach-Object { $_.RemotePath; $_.Length; $_.Renamed; $_.Duration -is [timespan] }", file, _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/data.bin", 300_000L, false, true }, output);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(_server.FullPath(_remote + "/data.bin")));
    }

    [Fact]
    public void SendFtpFile_SameNameTwice_StoresTheSecondAsName_1AndKeepsTheFirst()
    {
        Connect();
        string first = LocalFile("same.txt", 10);
        Send(first);
        string second = Path.Join(Directory.CreateDirectory(Path.Join(_local, "other")).FullName, "same.txt");
        File.WriteAllBytes(second, new byte[20]);

        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] | ForEach-Object { $_.RemotePath; $_.Renamed }", second, _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/same_1.txt", true }, output);
        Assert.Equal(10, new FileInfo(_server.FullPath(_remote + "/same.txt")).Length);
        Assert.Equal(20, new FileInfo(_server.FullPath(_remote + "/same_1.txt")).Length);
    }

    [Fact]
    public void SendFtpFile_PipedFromGetChildItemWithWildcard_UploadsEachFile()
    {
        Connect();
        LocalFile("a.csv", 1);
        LocalFile("b.csv", 2);
        LocalFile("c.txt", 3);

        var (output, errors) = _shell.Run("Get-ChildItem (Join-Path $args[0] '*.csv') | Send-FtpFile -Destination $args[1] | ForEach-Object RemotePath | Sort-Object", _local, _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/a.csv", _remote + "/b.csv" }, output);
    }

    [Fact]
    public void SendFtpFile_RelativeWildcard_ResolvesAgainstTheCurrentLocation()
    {
        Connect();
        LocalFile("x.log", 1);
        LocalFile("y.log", 1);

        var (output, errors) = _shell.Run("Set-Location $args[0]; Send-FtpFile ./*.log $args[1] | ForEach-Object RemotePath | Sort-Object", _local, _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/x.log", _remote + "/y.log" }, output);
    }

    [Fact]
    public void SendFtpFile_WhatIf_UploadsNothing()
    {
        Connect();
        string file = LocalFile("whatif.bin", 5);

        var (output, errors) = _shell.Run("Send-FtpFile $args[0] -Destination $args[1] -WhatIf", file, _remote + "/");

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(_server.FullPath(_remote)));
    }

    [Fact]
    public void SendFtpFile_MissingLocalFileAndGoodFile_WritesLocalItemNotFoundAndUploadsTheOther()
    {
        Connect();
        string good = LocalFile("good.bin", 5);

        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0], $args[1] -Destination $args[2]", Path.Join(_local, "missing.bin"), good, _remote + "/");

        Assert.Single(output);
        Errors.AssertError(Assert.Single(errors), "LocalItemNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void SendFtpFile_Folder_WritesIsADirectory()
    {
        Connect();

        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1]", _local, _remote + "/");

        Assert.Empty(output);
        Errors.AssertError(Assert.Single(errors), "IsADirectory", ErrorCategory.InvalidType);
    }

    [Fact]
    public void SendFtpFile_ConflictFail_ThrowsAlreadyExists()
    {
        Connect();
        string file = LocalFile("once.bin", 5);
        Send(file);

        var error = _shell.RunFailing("Send-FtpFile $args[0] -Destination $args[1] -Conflict Fail", file, _remote + "/");

        Errors.AssertError(error, "AlreadyExists", ErrorCategory.ResourceExists);
    }

    [Fact]
    public void SendFtpFile_DestinationOutsideTheRoot_ThrowsInvalidPath()
    {
        Connect();

        var error = _shell.RunFailing("Send-FtpFile $args[0] -Destination '../escape/'", LocalFile("escape.bin", 1));

        Errors.AssertError(error, "InvalidPath", ErrorCategory.InvalidArgument);
    }

    [Fact]
    public void GetFtpItem_Folder_ListsItsContent()
    {
        Connect();
        Send(LocalFile("a.log", 11));
        Send(LocalFile("b.txt", 12), "/sub/");

        var (output, errors) = _shell.Run("Get-FtpItem $args[0] | ForEach-Object { '{0} {1} {2}' -f $_.FullName, $_.IsDirectory, $_.Length } | Sort-Object", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { $"{_remote}/a.log False 11", $"{_remote}/sub True 0" }, output);
    }

    [Fact]
    public void GetFtpItem_WildcardWithRecurse_MatchesNamesInTheWholeSubtree()
    {
        Connect();
        Send(LocalFile("a.log", 1));
        Send(LocalFile("b.txt", 1));
        Send(LocalFile("c.log", 1), "/deeper/");

        var flat = _shell.Run("(Get-FtpItem ($args[0] + '/*.log')).FullName", _remote).Output;
        var deep = _shell.Run("(Get-FtpItem ($args[0] + '\\*.log') -Recurse).FullName | Sort-Object", _remote).Output;

        Assert.Equal(new object[] { _remote + "/a.log" }, flat);
        Assert.Equal(new object[] { _remote + "/a.log", _remote + "/deeper/c.log" }, deep);
    }

    [Fact]
    public void GetFtpItem_WildcardWithoutMatch_WritesNothing()
    {
        Connect();
        Send(LocalFile("a.log", 1));

        var (output, errors) = _shell.Run("Get-FtpItem ($args[0] + '/*.none')", _remote);

        Assert.Empty(output);
        Assert.Empty(errors);
    }

    [Fact]
    public void GetFtpItem_WildcardInAFolderThatDoesNotExist_WritesItemNotFound()
    {
        Connect();

        var (output, errors) = _shell.Run("Get-FtpItem ($args[0] + '/none/*.log')", _remote);

        Assert.Empty(output);
        Errors.AssertError(Assert.Single(errors), "ItemNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void RemoveFtpItem_WildcardWithoutMatch_DeletesNothingAndWritesNothing()
    {
        Connect();
        Send(LocalFile("a.log", 1));

        var (output, errors) = _shell.Run("Remove-FtpItem ($args[0] + '/*.none') -Force; (Get-FtpItem $args[0]).Name", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { "a.log" }, output);
    }

    [Fact]
    public void GetFtpItem_MissingAndPresentPaths_WritesItemNotFoundAndListsTheOther()
    {
        Connect();
        Send(LocalFile("here.txt", 1));

        var (output, errors) = _shell.Run("(Get-FtpItem -LiteralPath ($args[0] + '/none'), ($args[0] + '/here.txt')).FullName", _remote);

        Assert.Equal(new object[] { _remote + "/here.txt" }, output);
        var error = Assert.Single(errors);
        Errors.AssertError(error, "ItemNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal(_remote + "/none", error.TargetObject);
    }

    [Fact]
    public void GetFtpItem_PathLeavingTheRoot_ThrowsInvalidPath()
    {
        Connect();

        Errors.AssertError(_shell.RunFailing("Get-FtpItem '../../etc'"), "InvalidPath", ErrorCategory.InvalidArgument);
    }

    [Fact]
    public void GetFtpItem_Formatted_LooksLikeGetChildItem()
    {
        Connect();
        Send(LocalFile("shown.txt", 1));

        string text = _shell.RunSingle<string>("Get-FtpItem $args[0] | Out-String", _remote);

        Assert.Matches(@"Mode\s+LastWriteTime\s+Length\s+Name", text);
        Assert.Contains("Directory: " + _remote, text);
    }

    [Fact]
    public void GetFtpItemSize_PipedFromGetFtpItem_ReportsBytesAndMegabytes()
    {
        Connect();
        Send(LocalFile("big.bin", 2 * 1024 * 1024 + 512 * 1024));

        var (output, errors) = _shell.Run("Get-FtpItem ($args[0] + '/*.bin') | Get-FtpItemSize | ForEach-Object { $_.Path; $_.Length; $_.SizeMB; $_.FileCount }", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/big.bin", 2L * 1024 * 1024 + 512 * 1024, 2.5, 1L }, output);
    }

    [Fact]
    public void GetFtpItemSize_FolderWithFilesInSubfolders_ReportsTheirTotalAndCount()
    {
        Connect();
        Send(LocalFile("top.bin", 1000), "/sized/");
        Send(LocalFile("mid.bin", 20_000), "/sized/a/");
        Send(LocalFile("deep.bin", 300_000), "/sized/a/b/");
        Directory.CreateDirectory(_server.FullPath(_remote + "/sized/empty"));

        var (output, errors) = _shell.Run("Get-FtpItemSize ($args[0] + '/sized') | ForEach-Object { $_.Path; $_.Length; $_.FileCount }", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/sized", 321_000L, 3L }, output);
    }

    [Fact]
    public void GetFtpFileHash_Sha256_MatchesTheLocalFilesHash()
    {
        Connect();
        string file = LocalFile("hash.bin", 77_777);
        Send(file);

        var (output, errors) = _shell.Run("Get-FtpFileHash ($args[0] + '/hash.bin') -Algorithm SHA256 | ForEach-Object { $_.Algorithm; $_.Hash; $_.Path }", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { "SHA256", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))), _remote + "/hash.bin" }, output);
    }

    [Fact]
    public void GetFtpFileHash_MissingFile_ThrowsItemNotFound()
    {
        Connect();

        Errors.AssertError(_shell.RunFailing("Get-FtpFileHash ($args[0] + '/none.bin')", _remote), "ItemNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void SendFtpFile_AlgorithmSha256_ReportsTheHashOfTheFile()
    {
        Connect();
        string file = LocalFile("sha.bin", 4_321);

        var (output, errors) = _shell.Run("Send-FtpFile $args[0] -Destination $args[1] -Algorithm SHA256 | ForEach-Object { $_.Algorithm; $_.Hash; $_.ResumedFrom }", file, _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(new object[] { "SHA256", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))), 0L }, output);
    }

    [Fact]
    public void ReceiveFtpFile_DefaultAlgorithm_ReportsAnXxh128Hash()
    {
        Connect();
        Send(LocalFile("xxh.bin", 10_000));
        string target = Directory.CreateDirectory(Path.Join(_local, "xxh")).FullName;

        var (output, errors) = _shell.Run("Receive-FtpFile ($args[0] + '/xxh.bin') -Destination $args[1] | ForEach-Object { $_.Algorithm; $_.Hash.Length }", _remote, target);

        Assert.Empty(errors);
        Assert.Equal(new object[] { "XXH128", 32 }, output);
    }

    [Fact]
    public void SendFtpFile_LocalFileWithOldTime_GetFtpItemShowsTheLocalTimeToTheMillisecond()
    {
        Connect();
        string file = LocalFile("old.bin", 100);
        File.SetLastWriteTimeUtc(file, new DateTime(2010, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc).AddTicks(4567));

        Send(file);
        var times = _shell.Run("(Get-ChildItem -LiteralPath $args[0]).LastWriteTimeUtc; (Get-FtpItem ($args[1] + '/old.bin')).LastWriteTimeUtc", file, _remote).Output;

        Assert.Equal(new DateTime(2010, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc), ToMilliseconds((DateTime)times[0]));
        Assert.Equal(ToMilliseconds((DateTime)times[0]), times[1]);
    }

    [Fact]
    public void ReceiveFtpFile_RemoteFileWithOldTime_LocalFileHasTheRemoteTime()
    {
        Connect();
        Send(LocalFile("dated.bin", 100));
        File.SetLastWriteTimeUtc(_server.FullPath(_remote + "/dated.bin"), new DateTime(2003, 4, 5, 6, 7, 8, 901, DateTimeKind.Utc).AddTicks(2345));
        string target = Directory.CreateDirectory(Path.Join(_local, "down")).FullName;

        var (times, errors) = _shell.Run("$null = Receive-FtpFile ($args[0] + '/dated.bin') -Destination $args[1]; (Get-FtpItem ($args[0] + '/dated.bin')).LastWriteTimeUtc; (Get-ChildItem -LiteralPath (Join-Path $args[1] 'dated.bin')).LastWriteTimeUtc", _remote, target);

        Assert.Empty(errors);
        Assert.Equal(new DateTime(2003, 4, 5, 6, 7, 8, 901, DateTimeKind.Utc), times[0]);
        Assert.Equal(times[0], times[1]);
    }

    [Fact]
    public void ConnectFtpSocket_TimeoutParameters_SetTheSessionsTimeouts()
    {
        var session = PSObject.AsPSObject(_shell.RunSingle<object>(
            "Connect-FtpSocket 127.0.0.1 -Port $args[0] -TimeoutSec 20 -IdleTimeoutSec 9", _server.Port));

        Assert.Equal(TimeSpan.FromSeconds(20), session.Properties["ConnectTimeout"].Value);
        Assert.Equal(TimeSpan.FromSeconds(20), session.Properties["NoProgressTimeout"].Value);
        Assert.Equal(TimeSpan.FromSeconds(9), session.Properties["IdleTimeout"].Value);
    }

    [Fact]
    public void GetFtpItemSize_MissingFile_ThrowsItemNotFound()
    {
        Connect();

        Errors.AssertError(_shell.RunFailing("Get-FtpItemSize ($args[0] + '/none.bin')", _remote), "ItemNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void ReceiveFtpFile_NoDestination_DownloadsIntoTheCurrentLocation()
    {
        Connect();
        string source = LocalFile("down.bin", 1_234_567);
        Send(source);
        string target = Directory.CreateDirectory(Path.Join(_local, "here")).FullName;

        string localPath = _shell.RunSingle<string>("Set-Location $args[0]; (Receive-FtpFile ($args[1] + '/down.bin')).LocalPath", target, _remote);

        Assert.Equal(Path.Join(target, "down.bin"), localPath);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(localPath));
    }

    [Fact]
    public void ReceiveFtpFile_PipedFromGetFtpItem_DownloadsEachIntoTheFolder()
    {
        Connect();
        Send(LocalFile("r1.log", 1));
        Send(LocalFile("r2.log", 2));
        string target = Directory.CreateDirectory(Path.Join(_local, "fetched")).FullName;

        var (output, errors) = _shell.Run("Get-FtpItem ($args[0] + '/*.log') | Receive-FtpFile -Destination $args[1]", _remote, target);

        Assert.Empty(errors);
        Assert.Equal(2, output.Count);
        Assert.Equal(2, new FileInfo(Path.Join(target, "r2.log")).Length);
    }

    [Fact]
    public void ReceiveFtpFile_LocalFileExists_WritesLocalFileExistsUnlessForce()
    {
        Connect();
        Send(LocalFile("kept.txt", 7));
        string target = Directory.CreateDirectory(Path.Join(_local, "exists")).FullName;
        File.WriteAllText(Path.Join(target, "kept.txt"), "old");

        var error = _shell.RunFailing("Receive-FtpFile ($args[0] + '/kept.txt') -Destination $args[1]", _remote, target);
        Assert.Equal("old", File.ReadAllText(Path.Join(target, "kept.txt")));
        _shell.Run("Receive-FtpFile ($args[0] + '/kept.txt') -Destination $args[1] -Force", _remote, target);

        Errors.AssertError(error, "LocalFileExists", ErrorCategory.ResourceExists);
        Assert.Equal(7, new FileInfo(Path.Join(target, "kept.txt")).Length);
    }

    [Fact]
    public void ReceiveFtpFile_LocalDiskFullWithForce_WritesLocalDiskFullAndKeepsTheOldFile()
    {
        using var disk = SmallDisk.TryMount(1 << 20, _output);
        if (disk is null)
        {
            return;
        }
        Connect();
        Send(LocalFile("big.bin", 2 << 20));
        string target = Path.Join(disk.Folder, "big.bin");
        File.WriteAllText(target, "old");

        var error = _shell.RunFailing("Receive-FtpFile ($args[0] + '/big.bin') -Destination $args[1] -Force", _remote, disk.Folder);

        Errors.AssertError(error, "LocalDiskFull", ErrorCategory.WriteError);
        Assert.StartsWith("The disk is full: ", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(target));
    }

    [Fact]
    public void ReceiveFtpFile_MissingRemoteFile_ThrowsItemNotFoundAndLeavesNoFile()
    {
        Connect();
        string target = Directory.CreateDirectory(Path.Join(_local, "nothing")).FullName;

        var error = _shell.RunFailing("Receive-FtpFile ($args[0] + '/none.bin') -Destination $args[1]", _remote, target);

        Errors.AssertError(error, "ItemNotFound", ErrorCategory.ObjectNotFound);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void ReceiveFtpFile_FolderWithoutRecurse_WritesIsADirectory()
    {
        Connect();
        Send(LocalFile("in.txt", 1), "/folder/");

        var (output, errors) = _shell.Run("Receive-FtpFile ($args[0] + '/folder') -Destination $args[1]", _remote, _local);

        Assert.Empty(output);
        Errors.AssertError(Assert.Single(errors), "IsADirectory", ErrorCategory.InvalidType);
    }

    [Fact]
    public void ReceiveFtpFile_FolderWithRecurse_DownloadsTheTree()
    {
        Connect();
        Send(LocalFile("top.txt", 4), "/tree/");
        Send(LocalFile("deep.txt", 5), "/tree/sub/");
        string target = Directory.CreateDirectory(Path.Join(_local, "mirror")).FullName;

        var (output, errors) = _shell.Run("Receive-FtpFile ($args[0] + '/tree') -Destination $args[1] -Recurse", _remote, target);

        Assert.Empty(errors);
        Assert.Equal(2, output.Count);
        Assert.Equal(4, new FileInfo(Path.Join(target, "tree", "top.txt")).Length);
        Assert.Equal(5, new FileInfo(Path.Join(target, "tree", "sub", "deep.txt")).Length);
    }

    [Fact]
    public void RemoveFtpItem_WhatIf_DeletesNothing()
    {
        Connect();
        Send(LocalFile("stay.bin", 3));

        var (_, errors) = _shell.Run("Remove-FtpItem ($args[0] + '/stay.bin') -WhatIf", _remote);

        Assert.Empty(errors);
        Assert.True(File.Exists(_server.FullPath(_remote + "/stay.bin")));
    }

    [Fact]
    public void RemoveFtpItem_ForcePipedFromGetFtpItem_DeletesTheMatches()
    {
        Connect();
        Send(LocalFile("gone1.bin", 3));
        Send(LocalFile("gone2.bin", 3));
        Send(LocalFile("stay.txt", 3));

        var (_, errors) = _shell.Run("Get-FtpItem ($args[0] + '/*.bin') | Remove-FtpItem -Force", _remote);

        Assert.Empty(errors);
        Assert.Equal(new[] { "stay.txt" }, Directory.GetFileSystemEntries(_server.FullPath(_remote)).Select(Path.GetFileName));
    }

    [Fact]
    public void RemoveFtpItem_ConfirmFalse_Deletes()
    {
        Connect();
        Send(LocalFile("gone.bin", 3));

        var (_, errors) = _shell.Run("Remove-FtpItem ($args[0] + '/gone.bin') -Confirm:$false", _remote);

        Assert.Empty(errors);
        Assert.False(File.Exists(_server.FullPath(_remote + "/gone.bin")));
    }

    [Fact]
    public void RemoveFtpItem_FolderWithContentWithoutRecurse_ThrowsDirectoryNotEmpty()
    {
        Connect();
        Send(LocalFile("inner.bin", 3), "/full/");

        var error = _shell.RunFailing("Remove-FtpItem ($args[0] + '/full') -Force", _remote);
        _shell.Run("Remove-FtpItem ($args[0] + '/full') -Recurse -Force", _remote);

        Errors.AssertError(error, "DirectoryNotEmpty", ErrorCategory.WriteError);
        Assert.False(Directory.Exists(_server.FullPath(_remote + "/full")));
    }

    [Fact]
    public void NewFtpItem_MissingParents_CreatesAndOutputsTheFolder()
    {
        Connect();

        // Read through PowerShell: the module's FtpItem lives in its own load context.
        string item = _shell.RunSingle<string>("New-FtpItem ($args[0] + '/a/b') -ItemType Directory | ForEach-Object { '{0} {1}' -f $_.FullName, $_.IsDirectory }", _remote);

        Assert.Equal(_remote + "/a/b True", item);
        Assert.True(Directory.Exists(_server.FullPath(_remote + "/a/b")));
    }

    [Fact]
    public void NewFtpItem_ExistingFolder_WritesAlreadyExists()
    {
        Connect();
        _shell.Run("New-FtpItem $args[0] -ItemType Directory", _remote);

        var error = _shell.RunFailing("New-FtpItem $args[0] -ItemType Directory", _remote);

        Errors.AssertError(error, "AlreadyExists", ErrorCategory.ResourceExists);
    }

    [Fact]
    public void NewFtpItem_ExistingFolderWithForce_OutputsIt()
    {
        Connect();
        _shell.Run("New-FtpItem $args[0] -ItemType Directory", _remote);

        var (output, errors) = _shell.Run("(New-FtpItem $args[0] -ItemType Directory -Force).FullName", _remote);

        Assert.Empty(errors);
        Assert.Equal(_remote, Assert.Single(output));
    }

    [Fact]
    public void NewFtpItem_FileThereWithForce_WritesAlreadyExists()
    {
        Connect();
        Send(LocalFile("taken.bin", 3));

        var error = _shell.RunFailing("New-FtpItem ($args[0] + '/taken.bin') -ItemType Directory -Force", _remote);

        Errors.AssertError(error, "AlreadyExists", ErrorCategory.ResourceExists);
        Assert.True(File.Exists(_server.FullPath(_remote + "/taken.bin")));
    }

    [Fact]
    public void NewFtpItem_ParentIsFile_WritesNotADirectory()
    {
        Connect();
        Send(LocalFile("taken.bin", 3));

        var error = _shell.RunFailing("New-FtpItem ($args[0] + '/taken.bin/sub') -ItemType Directory", _remote);

        Errors.AssertError(error, "NotADirectory", ErrorCategory.InvalidType);
    }

    [Fact]
    public void NewFtpItem_WhatIf_CreatesNothing()
    {
        Connect();

        var (output, errors) = _shell.Run("New-FtpItem ($args[0] + '/a'), ($args[0] + '/b') -ItemType Directory -WhatIf", _remote);

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(_server.FullPath(_remote)));
    }

    [Fact]
    public void NewFtpItem_PipedByFullName_CreatesEach()
    {
        Connect();

        var (output, errors) = _shell.Run("[pscustomobject]@{ FullName = $args[0] + '/p1' }, [pscustomobject]@{ FullName = $args[0] + '/p2' } | New-FtpItem -ItemType Directory", _remote);

        Assert.Empty(errors);
        Assert.Equal(2, output.Count);
        Assert.True(Directory.Exists(_server.FullPath(_remote + "/p2")));
    }

    [Theory]
    [InlineData("/f.bin", "Any", true)]
    [InlineData("/f.bin", "Leaf", true)]
    [InlineData("/f.bin", "Container", false)]
    [InlineData("/sub", "Container", true)]
    [InlineData("/sub", "Leaf", false)]
    [InlineData("/none.bin", "Any", false)]
    [InlineData("/f.bin/x", "Any", false)]
    [InlineData("/*.bin", "Leaf", true)]
    [InlineData("/*.bin", "Container", false)]
    [InlineData("/*.txt", "Any", false)]
    [InlineData("/f.bin/*", "Any", false)]
    [InlineData("/none/*.bin", "Any", false)]
    public void TestFtpItem_Path_TrueOnlyForAnItemOfThePathType(string path, string pathType, bool expected)
    {
        Connect();
        Send(LocalFile("f.bin", 3));
        Send(LocalFile("inner.bin", 3), "/sub/");

        bool exists = _shell.RunSingle<bool>("Test-FtpItem ($args[0] + $args[1]) -PathType $args[2]", _remote, path, pathType);

        Assert.Equal(expected, exists);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/../*")]
    [InlineData("/.psftp")]
    public void TestFtpItem_HostilePath_FalseWithoutError(string path)
    {
        Connect();

        var (output, errors) = _shell.Run("Test-FtpItem $args[0]; Test-FtpItem -LiteralPath $args[0]", path);

        Assert.Empty(errors);
        Assert.Equal(new object[] { false, false }, output);
    }

    [Fact]
    public void TestFtpItem_LiteralPathWithWildcardCharacter_LooksForThatName()
    {
        Connect();
        Send(LocalFile("f.bin", 3));

        var (output, errors) = _shell.Run("Test-FtpItem -LiteralPath ($args[0] + '/f.bin'), ($args[0] + '/f[.bin')", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { true, false }, output);
    }

    [Fact]
    public void TestFtpItem_PipedFromGetFtpItem_TrueForEach()
    {
        Connect();
        Send(LocalFile("f.bin", 3));
        Send(LocalFile("g.bin", 3));

        var (output, errors) = _shell.Run("Get-FtpItem $args[0] | Test-FtpItem -PathType Leaf", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { true, true }, output);
    }

    [Fact]
    public void NewFtpItem_ItemTypeFile_RefusedByValidateSet()
    {
        Connect();

        var error = _shell.RunFailing("New-FtpItem $args[0] -ItemType File", _remote);

        Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void DisconnectFtpSocket_DefaultSession_LeavesNoDefaultSession()
    {
        Connect();

        _shell.Run("Disconnect-FtpSocket");

        Errors.AssertError(_shell.RunFailing("Get-FtpItem"), "NoSession", ErrorCategory.InvalidOperation);
    }

    [Fact]
    public void GetFtpItem_SessionDisconnectedThroughThePipeline_ThrowsSessionClosed()
    {
        var (output, _) = _shell.Run("$s = Connect-FtpSocket 127.0.0.1 -Port $args[0]; $s | Disconnect-FtpSocket; $s.IsOpen; try { Get-FtpItem -Session $s -ErrorAction Stop } catch { $_ }", _server.Port);

        Assert.Equal(false, output[0]);
        Errors.AssertError(Assert.IsType<ErrorRecord>(output[1]), "SessionClosed", ErrorCategory.InvalidOperation);
    }

    [Fact]
    public async Task SendFtpFile_LongUpload_ShowsProgressWithRateAndTimeLeft()
    {
        var progress = await StopLongUploadAsync("Continue", shell => shell.Streams.Progress.Count >= 2);

        var first = progress[0];
        Assert.Equal(ProgressRecordType.Processing, first.RecordType);
        Assert.Equal("Send-FtpFile", first.Activity);
        Assert.Matches(@"long\.bin → .*: [\d.,]+ of 8[.,]?192[.,]0 MB at [\d.,]+ MB/s$", first.StatusDescription);
        Assert.InRange(first.PercentComplete, 0, 100);
        Assert.True(first.SecondsRemaining >= 0, $"no time left shown: {first.SecondsRemaining}");
        // A record is written only when more bytes moved, and each keeps what it said then (a host may show it later).
        Assert.NotEqual(first.StatusDescription, progress[1].StatusDescription);
    }

    [Fact]
    public async Task SendFtpFile_ProgressPreferenceSilentlyContinue_WritesNoProgress()
    {
        string partials = Path.Join(_server.Root, ".psftp", "partial");
        var started = Stopwatch.StartNew();
        // Well past several progress intervals of upload, judged by what the server holds and by the clock.
        var progress = await StopLongUploadAsync("SilentlyContinue", _ =>
            started.Elapsed > TimeSpan.FromSeconds(1) && Directory.GetFiles(partials).Any(f => new FileInfo(f).Length > 64 * 1024 * 1024));

        Assert.Empty(progress);
    }

    /// <summary>
    /// Starts an upload of an 8 GiB sparse file (far longer than any progress interval on any machine), stops it like
    /// Ctrl+C once <paramref name="enough"/> holds, and returns the progress records it wrote.
    /// </summary>
    private async Task<IReadOnlyList<ProgressRecord>> StopLongUploadAsync(string preference, Func<PowerShell, bool> enough)
    {
        string file = Path.Join(_local, "long.bin");
        using (var sparse = File.Create(file))
        {
            sparse.SetLength(8L * 1024 * 1024 * 1024);
        }
        Connect();
        using var shell = _shell.Create("$ProgressPreference = $args[0]; Send-FtpFile -LiteralPath $args[1] -Destination $args[2]", preference, file, _remote + "/");
        var running = shell.BeginInvoke();
        var deadline = Stopwatch.StartNew();
        while (!enough(shell))
        {
            Assert.False(running.IsCompleted, "The upload ended before the test could stop it.");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "The upload made no progress to judge within 60 s.");
            await Task.Delay(50);
        }
        shell.Stop();
        return shell.Streams.Progress.ToList();
    }

    public void Dispose()
    {
        // A disposed runspace leaves its sessions open until the collector finds them, and the class's one server lets
        // an address hold 100 connections: close this test's, as SessionTests does.
        _shell.Run("Get-FtpSession | Disconnect-FtpSocket");
        _shell.Dispose();
        Directory.Delete(_local, recursive: true);
    }

    private PSObject Connect() =>
        PSObject.AsPSObject(_shell.RunSingle<object>("Connect-FtpSocket 127.0.0.1 -Port $args[0]", _server.Port));

    private void Send(string file, string subfolder = "/")
    {
        var (_, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1]", file, _remote + subfolder);
        Assert.Empty(errors);
    }

    private string LocalFile(string name, int length)
    {
        string path = Path.Join(_local, name);
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A time as the wire carries it: whole milliseconds.</summary>
    private static DateTime ToMilliseconds(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMillisecond, time.Kind);

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
