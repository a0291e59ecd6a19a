using System.Management.Automation;
using System.Security.Cryptography;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// Send-FtpFile -Recurse and Receive-FtpFile -Recurse: a whole tree, empty folders and names with spaces and letters
/// beyond ASCII included, with Copy-Item -Recurse's rule for the destination, and the same layout both ways.
/// </summary>
public sealed partial class CmdletTests
{
    [Fact]
    public void SendFtpFile_TreeWithRecurseIntoExistingFolder_LandsUnderDestinationAndTheFoldersName()
    {
        Connect();
        string tree = SampleTree("my büild");
        _shell.Run("New-FtpItem $args[0] -ItemType Directory", _remote + "/releases");

        // No trailing '/': the destination exists as a folder, so the tree goes into it under its own name.
        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse | ForEach-Object RemotePath", tree, _remote + "/releases");

        Assert.Empty(errors);
        string under = _remote + "/releases/my büild/";
        Assert.Equal(new[] { "a/b c/with space.txt", "a/b c/ünïcödé ñ/zero.bin", "a/b c/ünïcödé ñ/日本語.dat", "a/one.bin", "top.txt" }.Select(f => under + f), output.Cast<string>().Order(StringComparer.Ordinal));
        Assert.Equal(Tree(tree), Tree(_server.FullPath(_remote + "/releases/my büild")));
        Assert.True(Directory.Exists(_server.FullPath(_remote + "/releases/my büild/a/also empty/deeper")));
    }

    [Theory]
    [InlineData("/made/for/it/", "/made/for/it/tree")]
    [InlineData("/renamed", "/renamed")]
    public void SendFtpFile_TreeWithRecurseToMissingDestination_GoesIntoItWithSlashElseAsThatName(string destination, string landing)
    {
        Connect();
        string tree = SampleTree("tree");

        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse", tree, _remote + destination);

        Assert.Empty(errors);
        Assert.Equal(5, output.Count);
        Assert.Equal(Tree(tree), Tree(_server.FullPath(_remote + landing)));
    }

    [Fact]
    public void ReceiveFtpFile_TreeSentWithRecurse_ComesBackWithTheSameLayout()
    {
        Connect();
        string tree = SampleTree("round trip");
        Assert.Empty(_shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse", tree, _remote + "/").Errors);
        string into = Directory.CreateDirectory(Path.Join(_local, "back")).FullName;
        string asName = Path.Join(_local, "as name");

        var (output, errors) = _shell.Run(
            "Receive-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse | ForEach-Object LocalPath; $null = Receive-FtpFile -LiteralPath $args[0] -Destination $args[2] -Recurse",
            _remote + "/round trip", into, asName);

        Assert.Empty(errors);
        Assert.Equal(new[] { "a/b c/with space.txt", "a/b c/ünïcödé ñ/zero.bin", "a/b c/ünïcödé ñ/日本語.dat", "a/one.bin", "top.txt" }.Select(f => Path.Join(into, "round trip", f)), output.Cast<string>().Order(StringComparer.Ordinal));
        Assert.Equal(Tree(tree), Tree(Path.Join(into, "round trip")));
        Assert.Equal(Tree(tree), Tree(asName));
    }

    [Fact]
    public void SendFtpFile_RecurseOntoARemoteFile_ThrowsNotADirectory()
    {
        Connect();
        string tree = SampleTree("tree");
        RemoteFile("/afile.txt");

        var error = _shell.RunFailing("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse", tree, _remote + "/afile.txt");

        Errors.AssertError(error, "NotADirectory", ErrorCategory.InvalidType);
        Assert.Equal(new[] { "afile.txt" }, Directory.GetFileSystemEntries(_server.FullPath(_remote)).Select(Path.GetFileName));
    }

    [Fact]
    public void SendFtpFile_TreeWithRecurseAndWhatIf_CreatesNothing()
    {
        Connect();
        string tree = SampleTree("tree");

        var (output, errors) = _shell.Run("Send-FtpFile -LiteralPath $args[0] -Destination $args[1] -Recurse -WhatIf", tree, _remote + "/");

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(_server.FullPath(_remote)));
    }

    /// <summary>
    /// A local folder of <see cref="_local"/> with nested and empty folders, spaces and letters beyond ASCII in its
    /// names (the Pester files' New-SampleTree): 5 files and 6 folders below it. Returns its full path.
    /// </summary>
    private string SampleTree(string name)
    {
        string root = Path.Join(_local, name);
        foreach (string folder in new[] { "a/b c/ünïcödé ñ", "empty", "a/also empty/deeper" })
        {
            Directory.CreateDirectory(Path.Join(root, folder));
        }
        foreach (var (file, length) in new[] { ("top.txt", 10), ("a/one.bin", 3000), ("a/b c/with space.txt", 77), ("a/b c/ünïcödé ñ/日本語.dat", 1234), ("a/b c/ünïcödé ñ/zero.bin", 0) })
        {
            var bytes = new byte[length];
            new Random(length).NextBytes(bytes);
            File.WriteAllBytes(Path.Join(root, file), bytes);
        }
        return root;
    }

    /// <summary>
    /// Each item below a folder as "relative/path" (a folder's ends with '/'), a file's with its SHA-256 and, with
    /// <paramref name="withTime"/>, its LastWriteTime in whole seconds (what the wire and file systems all keep), in
    /// ordinal order: two trees are the same when these lists are.
    /// </summary>
    private static List<string> Tree(string folder, bool withTime = false) =>
        Directory.EnumerateFileSystemEntries(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(path =>
            {
                string relative = Path.GetRelativePath(folder, path).Replace('\\', '/');
                if (Directory.Exists(path))
                {
                    return relative + "/";
                }
                string line = relative + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
                return withTime ? line + " " + File.GetLastWriteTimeUtc(path).Ticks / TimeSpan.TicksPerSecond : line;
            })
            .Order(StringComparer.Ordinal)
            .ToList();
}
