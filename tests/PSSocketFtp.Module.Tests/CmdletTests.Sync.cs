using System.Management.Automation;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// Sync-FtpFolder both ways: one record per item with its Action and Reason, a second run that skips everything,
/// -WhatIf, -Mirror, -Compare Hash, -Include and -Exclude.
/// </summary>
public sealed partial class CmdletTests
{
    // Each record as "Action Reason RelativePath", in the order written.
    private const string Records = " | ForEach-Object { '{0} {1} {2}' -f $_.Action, $_.Reason, $_.RelativePath }";

    // The sample tree's items as Sync-FtpFolder orders them: ordinal, a folder before what is in it.
    private static readonly string[] SampleItems =
    [
        "a/", "a/also empty/", "a/also empty/deeper/", "a/b c/", "a/b c/with space.txt", "a/b c/ünïcödé ñ/",
        "a/b c/ünïcödé ñ/zero.bin", "a/b c/ünïcödé ñ/日本語.dat", "a/one.bin", "empty/", "top.txt",
    ];

    [Fact]
    public void SyncFtpFolder_FirstRun_UploadsEveryItemAsNewInOrderWithItsTime()
    {
        Connect();
        string tree = SampleTree("up");

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1]" + Records, tree, _remote + "/up");
        string one = _shell.RunSingle<string>("Sync-FtpFolder $args[0] $args[1] -Include one.bin | ForEach-Object { '{0} {1} {2} {3}' -f $_.Length, $_.RemotePath, $_.LocalPath, $_.IsDirectory }", tree, _remote + "/up");

        Assert.Empty(errors);
        Assert.Equal(SampleItems.Select(item => "Upload New " + item), output.Cast<string>());
        Assert.Equal(Tree(tree, withTime: true), Tree(_server.FullPath(_remote + "/up"), withTime: true));
        Assert.Equal($"3000 {_remote}/up/a/one.bin {Path.Join(tree, "a", "one.bin")} False", one);
    }

    [Fact]
    public void SyncFtpFolder_SecondRun_SkipsEveryItemAsSame()
    {
        Connect();
        string tree = SampleTree("up");
        Assert.Empty(_shell.Run("Sync-FtpFolder $args[0] $args[1]", tree, _remote).Errors);

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1]" + Records, tree, _remote);

        Assert.Empty(errors);
        Assert.Equal(SampleItems.Select(item => "Skip Same " + item), output.Cast<string>());
    }

    [Fact]
    public void SyncFtpFolder_NewAndChangedFiles_UploadsOnlyThemAndLeavesServerOnlyFilesWithoutMirror()
    {
        Connect();
        string tree = SampleTree("up");
        Assert.Empty(_shell.Run("Sync-FtpFolder $args[0] $args[1]", tree, _remote).Errors);
        File.WriteAllText(Path.Join(tree, "top.txt"), "longer than before");
        File.WriteAllText(Path.Join(tree, "a", "new.txt"), "new");
        RemoteFile("/only-remote.txt");

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1]" + Records + " | Where-Object { $_ -notlike 'Skip *' }", tree, _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { "Upload New a/new.txt", "Upload Changed top.txt" }, output);
        Assert.Equal("longer than before", File.ReadAllText(_server.FullPath(_remote + "/top.txt")));
        Assert.True(File.Exists(_server.FullPath(_remote + "/only-remote.txt")));
    }

    [Fact]
    public void SyncFtpFolder_WhatIf_ChangesNothingOnEitherSide()
    {
        Connect();
        string tree = SampleTree("up");

        // A first run under -WhatIf: not even the remote folder is made.
        var (first, firstErrors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -WhatIf", tree, _remote + "/up");
        Assert.Empty(first);
        Assert.Empty(firstErrors);
        Assert.False(Directory.Exists(_server.FullPath(_remote)));
        Assert.Empty(_shell.Run("Sync-FtpFolder $args[0] $args[1]", tree, _remote + "/up").Errors);
        File.WriteAllText(Path.Join(tree, "whatif-new.txt"), "new");
        RemoteFile("/up/extra.txt");
        var before = Tree(_server.FullPath(_remote + "/up"), withTime: true);

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Mirror -WhatIf" + Records + " | Where-Object { $_ -notlike 'Skip *' }", tree, _remote + "/up");

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.Equal(before, Tree(_server.FullPath(_remote + "/up"), withTime: true));
    }

    [Fact]
    public void SyncFtpFolder_MirrorWithForce_DeletesOnlyTheExtrasWholeFoldersOnce()
    {
        Connect();
        string tree = SampleTree("up");
        Assert.Empty(_shell.Run("Sync-FtpFolder $args[0] $args[1]", tree, _remote).Errors);
        RemoteFile("/extra.txt");
        RemoteFolder("/gone/deep");
        RemoteFile("/gone/deep/x.bin");
        RemoteFolder("/a/gone empty");
        RemoteFile("/a/b c/extra in kept.txt");

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Mirror -Force" + Records, tree, _remote);

        Assert.Empty(errors);
        var deleted = output.Cast<string>().Where(record => !record.StartsWith("Skip Same ", StringComparison.Ordinal));
        Assert.Equal(
            ["Delete Extra a/b c/extra in kept.txt", "Delete Extra a/gone empty/", "Delete Extra extra.txt", "Delete Extra gone/", "Delete Extra gone/deep/", "Delete Extra gone/deep/x.bin"],
            deleted);
        Assert.Equal(SampleItems.Length, output.Count(record => ((string)record).StartsWith("Skip Same ", StringComparison.Ordinal)));
        Assert.Equal(Tree(tree, withTime: true), Tree(_server.FullPath(_remote), withTime: true));
    }

    [Fact]
    public void SyncFtpFolder_CompareHash_CatchesAChangeOfTheSameSizeAndTime()
    {
        Connect();
        string tree = SampleTree("up");
        Assert.Empty(_shell.Run("Sync-FtpFolder $args[0] $args[1]", tree, _remote).Errors);
        string changed = Path.Join(tree, "a", "b c", "with space.txt");
        var time = File.GetLastWriteTimeUtc(changed);
        byte[] bytes = File.ReadAllBytes(changed);
        bytes[40] ^= 0xFF;
        File.WriteAllBytes(changed, bytes);
        File.SetLastWriteTimeUtc(changed, time);
        const string NotSkipped = " | Where-Object { $_ -notlike 'Skip *' }";

        var bySizeAndTime = _shell.Run("Sync-FtpFolder $args[0] $args[1]" + Records + NotSkipped, tree, _remote);
        var byHash = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Compare Hash" + Records + NotSkipped, tree, _remote);
        var again = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Compare Hash" + Records + NotSkipped, tree, _remote);

        Assert.Empty(bySizeAndTime.Errors);
        Assert.Empty(bySizeAndTime.Output);
        Assert.Empty(byHash.Errors);
        Assert.Equal(new object[] { "Upload Changed a/b c/with space.txt" }, byHash.Output);
        Assert.Equal(bytes, File.ReadAllBytes(_server.FullPath(_remote + "/a/b c/with space.txt")));
        Assert.Empty(again.Errors);
        Assert.Empty(again.Output);
    }

    [Fact]
    public void SyncFtpFolder_IncludeAndExclude_OnlyMatchingFilesOutsideExcludedFoldersTakePart()
    {
        Connect();
        string tree = SampleTree("up");

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Include '*.bin', '*.TXT' -Exclude 'b c'" + Records, tree, _remote);

        Assert.Empty(errors);
        // Folders take no part under -Include: the files' uploads make the ones they need.
        Assert.Equal(new object[] { "Upload New a/one.bin", "Upload New top.txt" }, output);
        Assert.Equal(["a/", "a/one.bin", "top.txt"], Tree(_server.FullPath(_remote)).Select(line => line.Split(' ')[0]));
    }

    [Fact]
    public void SyncFtpFolder_DirectionDownload_CreatesTheLocalFolderThenSkipsAndMirrorsLocalExtras()
    {
        Connect();
        string tree = SampleTree("source");
        Assert.Empty(_shell.Run("Sync-FtpFolder $args[0] $args[1]", tree, _remote).Errors);
        string target = Path.Join(_local, "down", "new");

        var (first, firstErrors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Direction Download" + Records, target, _remote);
        var (second, secondErrors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Direction Download" + Records, target, _remote);
        File.WriteAllText(Path.Join(target, "local-only.txt"), "extra");
        File.Delete(_server.FullPath(_remote + "/top.txt"));
        var (third, thirdErrors) = _shell.Run("Sync-FtpFolder $args[0] $args[1] -Direction Download -Mirror -Force" + Records + " | Where-Object { $_ -notlike 'Skip *' }", target, _remote);

        Assert.Empty(firstErrors);
        Assert.Equal(SampleItems.Select(item => "Download New " + item), first.Cast<string>());
        Assert.Empty(secondErrors);
        Assert.Equal(SampleItems.Select(item => "Skip Same " + item), second.Cast<string>());
        Assert.Empty(thirdErrors);
        Assert.Equal(new object[] { "Delete Extra local-only.txt", "Delete Extra top.txt" }, third);
        Assert.Equal(Tree(_server.FullPath(_remote), withTime: true), Tree(target, withTime: true));
    }

    [Fact]
    public void SyncFtpFolder_FileOnOneSideFolderOnTheOther_WritesSyncTypeConflictAndSyncsTheRest()
    {
        Connect();
        string tree = SampleTree("up");
        RemoteFolder("/top.txt");

        var (output, errors) = _shell.Run("Sync-FtpFolder $args[0] $args[1]" + Records, tree, _remote);

        var error = Assert.Single(errors);
        Errors.AssertError(error, "SyncTypeConflict", ErrorCategory.InvalidType);
        Assert.Equal(SampleItems.Where(item => item != "top.txt").Select(item => "Upload New " + item), output.Cast<string>());
    }

    [Fact]
    public void SyncFtpFolder_LocalFolderMissingForUpload_ThrowsLocalItemNotFoundAndMakesNothing()
    {
        Connect();

        var error = _shell.RunFailing("Sync-FtpFolder $args[0] $args[1]", Path.Join(_local, "nothing here"), _remote);

        Errors.AssertError(error, "LocalItemNotFound", ErrorCategory.ObjectNotFound);
        Assert.False(Directory.Exists(_server.FullPath(_remote)));
    }
}
