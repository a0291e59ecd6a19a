using System.Diagnostics;
using System.Management.Automation;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// Send-FtpFile, Receive-FtpFile and Remove-FtpItem keep a window of requests in flight across their pipeline input:
/// what they write must still come out in input order, item by item as it did one at a time.
/// </summary>
public sealed partial class CmdletTests
{
    // Writes each output as its remote path and each error as "error <id> <target>", merged in the order written.
    private const string Merged = " 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { 'error {0} {1}' -f $_.FullyQualifiedErrorId.Split(',')[0], $_.TargetObject } else { $_.RemotePath } }";

    [Fact]
    public void SendFtpFile_200SmallFilesPiped_OutputsInInputOrderAndStoresEachByteExact()
    {
        Connect();
        // Not in name order, and of sizes that differ, so that neither the listing nor the transfer times give the order.
        var files = Enumerable.Range(0, 200).Select(i => LocalFile($"s{(i * 73) % 200:D3}.bin", 1 + (i * 7919) % 9000)).ToList();

        var (output, errors) = _shell.Run("$args[0] | Send-FtpFile -Destination $args[1] | ForEach-Object RemotePath", files.ToArray(), _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(files.Select(f => (object)$"{_remote}/{Path.GetFileName(f)}"), output);
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(_server.FullPath($"{_remote}/{Path.GetFileName(f)}"))));
    }

    [Fact]
    public void SendFtpFile_FailuresInTheMiddleOfTheWindow_WriteTheirErrorsInOrderAndTheOthersUpload()
    {
        Connect();
        string existing = LocalFile("taken.bin", 10);
        Send(existing);
        var files = Enumerable.Range(0, 20).Select(i => LocalFile($"w{i:D2}.bin", 100 + i)).ToList();
        string missing = Path.Join(_local, "missing.bin");
        files[5] = missing;
        files[12] = existing;

        var (output, errors) = _shell.Run("$args[0] | Send-FtpFile -Destination $args[1] -Conflict Fail -ThrottleLimit 8" + Merged, files.ToArray(), _remote + "/");

        Assert.Empty(errors);
        var expected = files.Select(f => (object)$"{_remote}/{Path.GetFileName(f)}").ToList();
        // A local check fails before its request starts, the conflict on the server while the others are in flight.
        expected[5] = $"error LocalItemNotFound {missing}";
        expected[12] = $"error AlreadyExists {existing}";
        Assert.Equal(expected, output);
        Assert.Equal(10, new FileInfo(_server.FullPath(_remote + "/taken.bin")).Length);
        Assert.Equal(20 - 2 + 1, Directory.GetFiles(_server.FullPath(_remote)).Length);
    }

    [Fact]
    public void SendFtpFile_ManyFilesWithWhatIf_StartsNothing()
    {
        Connect();
        var files = Enumerable.Range(0, 50).Select(i => LocalFile($"if{i:D2}.bin", 10)).ToArray();

        var (output, errors) = _shell.Run("$args[0] | Send-FtpFile -Destination $args[1] -WhatIf", files, _remote + "/");

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(_server.FullPath(_remote)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void SendFtpFile_ThrottleLimitOutsideOneTo64_IsRefused(int limit)
    {
        Connect();

        var error = _shell.RunFailing("Send-FtpFile $args[0] -ThrottleLimit $args[1]", LocalFile("limit.bin", 1), limit);

        Errors.AssertError(error, "ParameterArgumentValidationError", ErrorCategory.InvalidData);
    }

    [Fact]
    public void ReceiveFtpFile_ManyPipedFromGetFtpItem_OutputsInListingOrderAndEachIsByteExact()
    {
        Connect();
        var files = Enumerable.Range(0, 100).Select(i => LocalFile($"d{i:D3}.bin", 1 + (i * 7919) % 20_000)).ToArray();
        Assert.Empty(_shell.Run("$args[0] | Send-FtpFile -Destination $args[1]", files, _remote + "/").Errors);
        string target = Directory.CreateDirectory(Path.Join(_local, "many")).FullName;

        var listed = _shell.Run("(Get-FtpItem $args[0]).FullName", _remote).Output;
        var (output, errors) = _shell.Run("Get-FtpItem $args[0] | Receive-FtpFile -Destination $args[1] | ForEach-Object { $_.RemotePath }", _remote, target);

        Assert.Empty(errors);
        Assert.Equal(100, listed.Count);
        Assert.Equal(listed, output);
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Join(target, Path.GetFileName(f)))));
    }

    [Fact]
    public void SendFtpFile_FolderOfManyFilesWithRecurse_UploadsEachIntoItsFolderInWalkOrder()
    {
        Connect();
        string tree = Path.Join(_local, "tree");
        Directory.CreateDirectory(Path.Join(tree, "empty"));
        var expected = new List<(string Local, string Remote)>();
        // The walk's order: a folder's files in ordinal order, then its folders, depth first.
        foreach (string folder in new[] { "", "a", "a/b", "c" })
        {
            Directory.CreateDirectory(Path.Join(tree, folder));
            for (int i = 0; i < 15; i++)
            {
                string name = $"f{i:D2}.bin";
                string file = Path.Join(tree, folder, name);
                var bytes = new byte[1 + i * 333];
                new Random(i + folder.Length).NextBytes(bytes);
                File.WriteAllBytes(file, bytes);
                expected.Add((file, $"{_remote}/tree/{(folder.Length == 0 ? "" : folder + "/")}{name}"));
            }
        }

        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse -ThrottleLimit 64 | ForEach-Object RemotePath", tree, _remote + "/");

        Assert.Empty(errors);
        Assert.Equal(expected.Select(f => (object)f.Remote), output);
        Assert.All(expected, f => Assert.Equal(File.ReadAllBytes(f.Local), File.ReadAllBytes(_server.FullPath(f.Remote))));
        Assert.True(Directory.Exists(_server.FullPath(_remote + "/tree/empty")));
    }

    [Fact]
    public void ReceiveFtpFile_FolderOfManyFilesWithRecurse_DownloadsEachIntoItsFolder()
    {
        Connect();
        var files = new List<(string Folder, string File)>();
        foreach (string folder in new[] { "/tree/", "/tree/a/", "/tree/a/b/", "/tree/c/" })
        {
            var batch = Enumerable.Range(0, 15).Select(i => LocalFile($"{folder.Trim('/').Replace('/', '-')}-{i:D2}.bin", 1 + i * 333)).ToArray();
            Assert.Empty(_shell.Run("$args[0] | Send-FtpFile -Destination $args[1]", batch, _remote + folder).Errors);
            files.AddRange(batch.Select(f => (folder, f)));
        }
        string target = Directory.CreateDirectory(Path.Join(_local, "mirror")).FullName;

        var (output, errors) = _shell.Run("Receive-FtpFile ($args[0] + '/tree') -Destination $args[1] -Recurse -ThrottleLimit 64", _remote, target);

        Assert.Empty(errors);
        Assert.Equal(files.Count, output.Count);
        Assert.All(files, f => Assert.Equal(
            File.ReadAllBytes(f.File),
            File.ReadAllBytes(Path.Join(target, f.Folder.Trim('/'), Path.GetFileName(f.File)))));
    }

    [Fact]
    public void RemoveFtpItem_ManyWithAMissingOne_DeletesTheOthersAndWritesItemNotFoundForIt()
    {
        Connect();
        var files = Enumerable.Range(0, 60).Select(i => LocalFile($"rm{i:D2}.bin", 5)).ToArray();
        Assert.Empty(_shell.Run("$args[0] | Send-FtpFile -Destination $args[1]", files, _remote + "/").Errors);
        var paths = files.Select(f => $"{_remote}/{Path.GetFileName(f)}").ToList();
        paths.Insert(30, _remote + "/none.bin");

        // As one argument: a lone string[] would become $args itself.
        var (output, errors) = _shell.Run("$args[0] | Remove-FtpItem -Force", (object)paths.ToArray());

        Assert.Empty(output);
        var error = Assert.Single(errors);
        Errors.AssertError(error, "ItemNotFound", ErrorCategory.ObjectNotFound);
        Assert.Equal(_remote + "/none.bin", error.TargetObject);
        Assert.Empty(Directory.GetFileSystemEntries(_server.FullPath(_remote)));
    }

    [Fact]
    public void RemoveFtpItem_ManyWithWhatIf_DeletesNothing()
    {
        Connect();
        var files = Enumerable.Range(0, 40).Select(i => LocalFile($"keep{i:D2}.bin", 5)).ToArray();
        Assert.Empty(_shell.Run("$args[0] | Send-FtpFile -Destination $args[1]", files, _remote + "/").Errors);

        var (_, errors) = _shell.Run("Get-FtpItem $args[0] | Remove-FtpItem -WhatIf", _remote);

        Assert.Empty(errors);
        Assert.Equal(40, Directory.GetFiles(_server.FullPath(_remote)).Length);
    }

    [Fact]
    public async Task SendFtpFile_StoppedWithSeveralInFlight_CancelsThemAllAndWritesNothingMore()
    {
        var files = Enumerable.Range(0, 3).Select(i => Path.Join(_local, $"long{i}.bin")).ToArray();
        foreach (string file in files)
        {
            using var sparse = File.Create(file);
            sparse.SetLength(8L * 1024 * 1024 * 1024);
        }
        Connect();
        using var shell = _shell.Create("$ProgressPreference = 'Continue'; $args[0] | Send-FtpFile -Destination $args[1]", files, _remote + "/");
        var output = new PSDataCollection<PSObject>();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        var deadline = Stopwatch.StartNew();
        while (shell.Streams.Progress.Count == 0)
        {
            Assert.False(running.IsCompleted, "The uploads ended before the test could stop them.");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "No progress within 60 s.");
            await Task.Delay(50);
        }
        var watch = Stopwatch.StartNew();

        shell.Stop();

        Assert.True(running.IsCompleted);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Stopping took {watch.Elapsed}.");
        // The input has ended, so the count is exact: the oldest of the three is shown.
        Assert.StartsWith("file 1 of 3: ", shell.Streams.Progress[0].StatusDescription, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.Empty(Directory.Exists(_server.FullPath(_remote)) ? Directory.GetFiles(_server.FullPath(_remote)) : []);
    }
}
