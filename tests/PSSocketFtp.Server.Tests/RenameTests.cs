using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>RENAME: files and folders moved in one step (the jail's hostile paths and links are in <see cref="JailTests"/>).</summary>
public class RenameTests
{
    [Fact]
    public async Task Rename_File_MovedAndAnsweredAtTarget()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "abc");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a.txt", "\\b.txt"));

        Assert.Equal(FrameType.Ok, answer.Type);
        var entry = StatAnswer.Read(answer.Fields).Entry;
        Assert.Equal(("b.txt", ItemKind.File, 3L), (entry.Path, entry.Kind, entry.Length));
        Assert.False(File.Exists(server.FullPath("a.txt")));
        Assert.Equal("abc", File.ReadAllText(server.FullPath("b.txt")));
    }

    [Fact]
    public async Task Rename_FolderIntoOtherFolder_MovedWithContent()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("src/sub"));
        File.WriteAllText(server.FullPath("src/sub/x.txt"), "x");
        Directory.CreateDirectory(server.FullPath("dst"));
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("src", "dst/src"));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal(ItemKind.Directory, StatAnswer.Read(answer.Fields).Entry.Kind);
        Assert.Equal("x", File.ReadAllText(server.FullPath("dst/src/sub/x.txt")));
        Assert.False(Directory.Exists(server.FullPath("src")));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("folder")]
    public async Task Rename_TargetTaken_AlreadyExistsAndBothKept(string taken)
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        if (taken == "file")
        {
            File.WriteAllText(server.FullPath("b"), "b");
        }
        else
        {
            Directory.CreateDirectory(server.FullPath("b"));
        }
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a.txt", "b"));

        Assert.Equal((FrameType.Error, FtpStatus.AlreadyExists), (answer.Type, answer.Status));
        Assert.Equal("b", answer.Fields.GetString(FieldTag.Path));
        Assert.Equal("a", File.ReadAllText(server.FullPath("a.txt")));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Rename_FileOverFileWithReplace_Replaced()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "new");
        File.WriteAllText(server.FullPath("b.txt"), "old");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a.txt", "b.txt", Replace: true));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal("new", File.ReadAllText(server.FullPath("b.txt")));
        Assert.False(File.Exists(server.FullPath("a.txt")));
    }

    [Theory]
    [InlineData(true, FtpStatus.DirectoryNotEmpty)]
    [InlineData(false, FtpStatus.IsADirectory)]
    public async Task Rename_OverFolderWithContentWithReplace_RefusedAndKept(bool sourceIsFolder, FtpStatus status)
    {
        await using var server = await TestServer.StartAsync();
        if (sourceIsFolder)
        {
            Directory.CreateDirectory(server.FullPath("a"));
        }
        else
        {
            File.WriteAllText(server.FullPath("a"), "a");
        }
        Directory.CreateDirectory(server.FullPath("full"));
        File.WriteAllText(server.FullPath("full/kept.txt"), "kept");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a", "full", Replace: true));

        Assert.Equal((FrameType.Error, status), (answer.Type, answer.Status));
        Assert.Equal("kept", File.ReadAllText(server.FullPath("full/kept.txt")));
        Assert.True(Path.Exists(server.FullPath("a")));
    }

    [Theory]
    [InlineData("f", "f/inside")]
    [InlineData("f", "f/deeper/inside")]
    public async Task Rename_FolderIntoItself_InvalidPath(string source, string target)
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("f/deeper"));
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest(source, target));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.True(Directory.Exists(server.FullPath("f/deeper")));
    }

    [Fact]
    public async Task Rename_FolderIntoItselfThroughLink_InvalidPath()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("f"));
        Directory.CreateSymbolicLink(server.FullPath("f/self"), ".");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("f", "f/self/moved"));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.True(Directory.Exists(server.FullPath("f")));
    }

    [Theory]
    [InlineData("", "x")]
    [InlineData("x", "/")]
    public async Task Rename_Root_InvalidPath(string source, string target)
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("x"));
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest(source, target, Replace: true));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.True(Directory.Exists(server.FullPath("x")));
    }

    [Theory]
    [InlineData("missing", "b", "missing")]
    [InlineData("a.txt", "no/such/b", "no/such")]
    public async Task Rename_SourceOrTargetFolderMissing_NotFoundNamingIt(string source, string target, string named)
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest(source, target));

        Assert.Equal((FrameType.Error, FtpStatus.NotFound), (answer.Type, answer.Status));
        Assert.Equal(named, answer.Fields.GetString(FieldTag.Path));
    }

    [Fact]
    public async Task Rename_TargetParentIsFile_NotADirectory()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        File.WriteAllText(server.FullPath("file"), "f");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a.txt", "file/b"));

        Assert.Equal((FrameType.Error, FtpStatus.NotADirectory), (answer.Type, answer.Status));
        Assert.Equal("a", File.ReadAllText(server.FullPath("a.txt")));
    }

    [Theory]
    [InlineData(".psftp", "x")]
    [InlineData(".psftp/partial", "x")]
    [InlineData("a.txt", ".psftp/a.txt")]
    [InlineData("a.txt", ".PSFTP/partial/a.txt")]
    public async Task Rename_StateFolder_InvalidPathAndNothingMoved(string source, string target)
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        var stateBefore = Directory.GetFileSystemEntries(Path.Join(server.Root, ".psftp"), "*", SearchOption.AllDirectories).Order().ToList();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest(source, target, Replace: true));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.Equal("a", File.ReadAllText(server.FullPath("a.txt")));
        Assert.Equal(stateBefore, Directory.GetFileSystemEntries(Path.Join(server.Root, ".psftp"), "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public async Task Rename_LinkInsideRoot_MovedAsALink()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("real"));
        File.WriteAllText(server.FullPath("real/x.txt"), "x");
        Directory.CreateDirectory(server.FullPath("other"));
        Directory.CreateSymbolicLink(server.FullPath("link"), Path.Join(server.Root, "real"));
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("link", "other/link"));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.NotNull(new DirectoryInfo(server.FullPath("other/link")).LinkTarget);
        Assert.Equal("x", File.ReadAllText(server.FullPath("real/x.txt")));
    }

    [Fact]
    public async Task Rename_RelativeLinkThatWouldLeadOutsideFromTarget_InvalidPathAndKept()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("a/b"));
        // a/b/up2 leads to the root's folder "a"; moved to the root, the same text would lead to the folder above the root.
        Directory.CreateSymbolicLink(server.FullPath("a/b/up2"), "..");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a/b/up2", "up2"));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.NotNull(new DirectoryInfo(server.FullPath("a/b/up2")).LinkTarget);
    }

    [Fact]
    public async Task Rename_SamePath_AnswersTheItemUnchanged()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a.txt", "/a.txt"));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal("a", File.ReadAllText(server.FullPath("a.txt")));
    }

    [Fact]
    public async Task Rename_HostileName_InvalidPath()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("a.txt"), "a");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new RenameRequest("a.txt", "bad\u0001name"));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.True(File.Exists(server.FullPath("a.txt")));
    }
}
