namespace PSSocketFtp.Module.Tests;

/// <summary>Tab completion of remote paths, through TabExpansion2 as the prompt calls it.</summary>
public sealed partial class CmdletTests
{
    [Fact]
    public void TabExpansion_FolderAndPrefix_OffersMatchesInAnyCaseFoldersFirstWithSlash()
    {
        Connect();
        RemoteFolder("/folder");
        RemoteFolder("/Fonts");
        RemoteFile("/fo.txt");
        RemoteFile("/FOO.log");
        RemoteFile("/bar.txt");

        var texts = Complete($"Get-FtpItem {_remote}/fo");

        Assert.Equal(new[] { $"{_remote}/folder/", $"{_remote}/Fonts/", $"{_remote}/fo.txt", $"{_remote}/FOO.log" }, texts);
    }

    [Fact]
    public void TabExpansion_NoLeadingSlash_KeepsItOff()
    {
        Connect();
        RemoteFolder("/inner");

        var texts = Complete($"Get-FtpItem {_remote.TrimStart('/')}/in");

        Assert.Equal(new[] { $"{_remote.TrimStart('/')}/inner/" }, texts);
    }

    [Fact]
    public void TabExpansion_NamesWithSpaceOrQuote_AreSingleQuoted()
    {
        Connect();
        RemoteFolder("/my folder");
        RemoteFile("/my's.txt");

        var texts = Complete($"Get-FtpItem {_remote}/my");

        Assert.Equal(new[] { $"'{_remote}/my folder/'", $"'{_remote}/my''s.txt'" }, texts);
    }

    [Theory]
    [InlineData("Receive-FtpFile {0}")]
    [InlineData("Remove-FtpItem -LiteralPath {0}")]
    [InlineData("Get-FtpItemSize {0}")]
    [InlineData("Get-FtpFileHash -Path {0}")]
    [InlineData("Send-FtpFile local.txt -Destination {0}")]
    public void TabExpansion_EachRemotePathParameter_CompletesFromTheServer(string command)
    {
        Connect();
        RemoteFile("/remote.bin");

        var texts = Complete(string.Format(command, _remote + "/rem"));

        Assert.Equal(new[] { $"{_remote}/remote.bin" }, texts);
    }

    [Fact]
    public void TabExpansion_LocalPathOfSendFtpFile_IsNotCompletedFromTheServer()
    {
        Connect();
        RemoteFile("/remote.bin");

        var texts = Complete($"Send-FtpFile {_remote}/rem");

        Assert.DoesNotContain($"{_remote}/remote.bin", texts);
    }

    [Fact]
    public void TabExpansion_SessionParameter_CompletesFromThatSessionNotTheDefault()
    {
        _shell.Run("$global:aside = Connect-FtpSocket 127.0.0.1 -Port $args[0] -NoDefault", _server.Port);
        RemoteFile("/given.txt");

        var texts = Complete($"Get-FtpItem -Session $aside {_remote}/gi");

        Assert.Equal(new[] { $"{_remote}/given.txt" }, texts);
    }

    [Fact]
    public void TabExpansion_NoSession_OffersNothingAndWritesNoError()
    {
        RemoteFile("/alone.txt");

        var (output, errors) = _shell.Run("$Error.Clear(); (TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches.Count; $Error.Count", $"Get-FtpItem {_remote}/al");

        Assert.Empty(errors);
        Assert.Equal(new object[] { 0, 0 }, output);
    }

    [Fact]
    public void TabExpansion_FolderNotFound_OffersNothing()
    {
        Connect();

        var texts = Complete($"Get-FtpItem {_remote}/missing/x");

        Assert.Empty(texts);
    }

    [Fact]
    public void TabExpansion_NewItemWithinCacheLifetime_IsNotListedAgain()
    {
        Connect();
        RemoteFile("/first.txt");
        Assert.Equal(new[] { $"{_remote}/first.txt" }, Complete($"Get-FtpItem {_remote}/f"));
        RemoteFile("/fresh.txt");

        var texts = Complete($"Get-FtpItem {_remote}/f");

        // The second Tab press is answered from the first listing, so the file made in between is not offered yet.
        Assert.Equal(new[] { $"{_remote}/first.txt" }, texts);
    }

    private IReadOnlyList<string> Complete(string input)
    {
        var (output, errors) = _shell.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", input);
        Assert.Empty(errors);
        return output.Cast<string>().ToList();
    }

    private void RemoteFolder(string path) => Directory.CreateDirectory(_server.FullPath(_remote + path));

    private void RemoteFile(string path)
    {
        Directory.CreateDirectory(_server.FullPath(_remote));
        File.WriteAllText(_server.FullPath(_remote + path), path);
    }
}
