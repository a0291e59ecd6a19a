using System.Management.Automation;

namespace PSSocketFtp.Module.Tests;

/// <summary>Rename-FtpItem and Move-FtpItem: in place, into a folder or to a new path, never replacing without -Force.</summary>
public sealed partial class CmdletTests
{
    [Fact]
    public void RenameFtpItem_File_RenamesItInPlaceAndOutputsNothing()
    {
        Connect();
        RemoteFile("/a.txt");

        var (output, errors) = _shell.Run("Rename-FtpItem ($args[0] + '/a.txt') b.txt", _remote);

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.Equal("/a.txt", File.ReadAllText(_server.FullPath(_remote + "/b.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Fact]
    public void RenameFtpItem_FolderWithPassThru_OutputsTheRenamedFolderWithItsContent()
    {
        Connect();
        RemoteFolder("/dir");
        RemoteFile("/dir/in.txt");

        string item = _shell.RunSingle<string>("Rename-FtpItem ($args[0] + '/dir') renamed -PassThru | ForEach-Object { '{0} {1}' -f $_.FullName, $_.IsDirectory }", _remote);

        Assert.Equal(_remote + "/renamed True", item);
        Assert.Equal("/dir/in.txt", File.ReadAllText(_server.FullPath(_remote + "/renamed/in.txt")));
        Assert.False(Directory.Exists(_server.FullPath(_remote + "/dir")));
    }

    [Fact]
    public void RenameFtpItem_NameTaken_ThrowsAlreadyExistsAndForceReplacesTheFile()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFile("/b.txt");

        var error = _shell.RunFailing("Rename-FtpItem ($args[0] + '/a.txt') b.txt", _remote);
        Assert.Equal("/b.txt", File.ReadAllText(_server.FullPath(_remote + "/b.txt")));
        var (output, errors) = _shell.Run("Rename-FtpItem ($args[0] + '/a.txt') b.txt -Force", _remote);

        Errors.AssertError(error, "AlreadyExists", ErrorCategory.ResourceExists);
        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.Equal("/a.txt", File.ReadAllText(_server.FullPath(_remote + "/b.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Fact]
    public void RenameFtpItem_FolderWithContentTakesTheNameWithForce_ThrowsIsADirectoryAndKeepsIt()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFolder("/dir");
        RemoteFile("/dir/in.txt");

        var error = _shell.RunFailing("Rename-FtpItem ($args[0] + '/a.txt') dir -Force", _remote);

        Errors.AssertError(error, "IsADirectory", ErrorCategory.InvalidType);
        Assert.True(File.Exists(_server.FullPath(_remote + "/dir/in.txt")));
        Assert.True(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Theory]
    [InlineData("dir/b.txt")]
    [InlineData("..")]
    public void RenameFtpItem_NewNameIsNotAName_ThrowsInvalidPath(string newName)
    {
        Connect();
        RemoteFile("/a.txt");

        var error = _shell.RunFailing("Rename-FtpItem ($args[0] + '/a.txt') $args[1]", _remote, newName);

        Errors.AssertError(error, "InvalidPath", ErrorCategory.InvalidArgument);
        Assert.True(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Fact]
    public void RenameFtpItem_WildcardMatchingTwo_ThrowsAmbiguousPathAndRenamesNothing()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFile("/b.txt");

        var error = _shell.RunFailing("Rename-FtpItem ($args[0] + '/*.txt') c.txt", _remote);

        Errors.AssertError(error, "AmbiguousPath", ErrorCategory.InvalidArgument);
        Assert.Equal(new[] { "a.txt", "b.txt" }, Directory.GetFiles(_server.FullPath(_remote)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RenameFtpItem_PipedFromGetFtpItemWithWhatIf_RenamesNothing()
    {
        Connect();
        RemoteFile("/a.txt");

        var (output, errors) = _shell.Run("Get-FtpItem ($args[0] + '/a.txt') | Rename-FtpItem -NewName b.txt -WhatIf", _remote);

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.True(File.Exists(_server.FullPath(_remote + "/a.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/b.txt")));
    }

    [Fact]
    public void RenameFtpItem_MissingItem_ThrowsItemNotFound()
    {
        Connect();
        RemoteFolder("");

        Errors.AssertError(_shell.RunFailing("Rename-FtpItem ($args[0] + '/none.txt') x.txt", _remote), "ItemNotFound", ErrorCategory.ObjectNotFound);
    }

    [Fact]
    public void MoveFtpItem_FileIntoExistingFolderWithPassThru_KeepsItsNameAndOutputsIt()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFolder("/dir");

        // No trailing '/': the folder exists, so the file goes into it.
        string moved = _shell.RunSingle<string>("(Move-FtpItem ($args[0] + '/a.txt') ($args[0] + '/dir') -PassThru).FullName", _remote);

        Assert.Equal(_remote + "/dir/a.txt", moved);
        Assert.Equal("/a.txt", File.ReadAllText(_server.FullPath(_remote + "/dir/a.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Fact]
    public void MoveFtpItem_FileToANewPath_MovesAndRenamesIt()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFolder("/dir");

        var (output, errors) = _shell.Run("Move-FtpItem ($args[0] + '/a.txt') ($args[0] + '/dir/renamed.txt')", _remote);

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.Equal("/a.txt", File.ReadAllText(_server.FullPath(_remote + "/dir/renamed.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Fact]
    public void MoveFtpItem_FolderToANewPathThenIntoAFolder_MovesItWithItsContent()
    {
        Connect();
        RemoteFolder("/dir/sub");
        RemoteFile("/dir/sub/in.txt");
        RemoteFolder("/other");
        RemoteFolder("/archive");

        var (output, errors) = _shell.Run(
            "Move-FtpItem ($args[0] + '/dir') ($args[0] + '/other/moved'); (Move-FtpItem ($args[0] + '/other') ($args[0] + '/archive') -PassThru).FullName", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/archive/other" }, output);
        Assert.Equal("/dir/sub/in.txt", File.ReadAllText(_server.FullPath(_remote + "/archive/other/moved/sub/in.txt")));
        Assert.False(Directory.Exists(_server.FullPath(_remote + "/dir")));
        Assert.False(Directory.Exists(_server.FullPath(_remote + "/other")));
    }

    [Fact]
    public void MoveFtpItem_WildcardIntoFolder_MovesEachMatchAndLeavesTheRest()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFile("/b.txt");
        RemoteFile("/c.log");
        RemoteFolder("/dir");

        var (output, errors) = _shell.Run("Move-FtpItem ($args[0] + '/*.txt') ($args[0] + '/dir/') -PassThru | ForEach-Object FullName | Sort-Object", _remote);

        Assert.Empty(errors);
        Assert.Equal(new object[] { _remote + "/dir/a.txt", _remote + "/dir/b.txt" }, output);
        Assert.True(File.Exists(_server.FullPath(_remote + "/c.log")));
    }

    [Fact]
    public void MoveFtpItem_TargetTaken_ThrowsAlreadyExistsAndForceReplacesTheFile()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFolder("/dir");
        RemoteFile("/dir/a.txt");

        var error = _shell.RunFailing("Move-FtpItem ($args[0] + '/a.txt') ($args[0] + '/dir')", _remote);
        Assert.Equal("/dir/a.txt", File.ReadAllText(_server.FullPath(_remote + "/dir/a.txt")));
        var (_, errors) = _shell.Run("Move-FtpItem ($args[0] + '/a.txt') ($args[0] + '/dir') -Force", _remote);

        Errors.AssertError(error, "AlreadyExists", ErrorCategory.ResourceExists);
        Assert.Empty(errors);
        Assert.Equal("/a.txt", File.ReadAllText(_server.FullPath(_remote + "/dir/a.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/../x")]
    [InlineData("/a/../../x")]
    [InlineData("/.psftp/partial")]
    public void MoveFtpItem_HostileDestination_ThrowsInvalidPathAndMovesNothing(string destination)
    {
        Connect();
        RemoteFile("/a.txt");

        var error = _shell.RunFailing("Move-FtpItem ($args[0] + '/a.txt') $args[1]", _remote, destination);

        Errors.AssertError(error, "InvalidPath", ErrorCategory.InvalidArgument);
        Assert.Equal("/a.txt", File.ReadAllText(_server.FullPath(_remote + "/a.txt")));
        Assert.False(File.Exists(Path.Join(Path.GetDirectoryName(_server.Root), "x")));
    }

    [Fact]
    public void MoveFtpItem_FolderIntoItself_ThrowsInvalidPathAndKeepsIt()
    {
        Connect();
        RemoteFolder("/dir");
        RemoteFile("/dir/in.txt");

        var error = _shell.RunFailing("Move-FtpItem ($args[0] + '/dir') ($args[0] + '/dir')", _remote);

        Errors.AssertError(error, "InvalidPath", ErrorCategory.InvalidArgument);
        Assert.True(File.Exists(_server.FullPath(_remote + "/dir/in.txt")));
    }

    [Fact]
    public void MoveFtpItem_NewPathsFolderMissing_ThrowsItemNotFound()
    {
        Connect();
        RemoteFile("/a.txt");

        var error = _shell.RunFailing("Move-FtpItem ($args[0] + '/a.txt') ($args[0] + '/no/such/a.txt')", _remote);

        Errors.AssertError(error, "ItemNotFound", ErrorCategory.ObjectNotFound);
        Assert.True(File.Exists(_server.FullPath(_remote + "/a.txt")));
    }

    [Fact]
    public void MoveFtpItem_PipedFromGetFtpItemWithWhatIf_MovesNothing()
    {
        Connect();
        RemoteFile("/a.txt");
        RemoteFolder("/dir");

        var (output, errors) = _shell.Run("Get-FtpItem ($args[0] + '/*.txt') | Move-FtpItem -Destination ($args[0] + '/dir') -WhatIf", _remote);

        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.True(File.Exists(_server.FullPath(_remote + "/a.txt")));
        Assert.False(File.Exists(_server.FullPath(_remote + "/dir/a.txt")));
    }
}
