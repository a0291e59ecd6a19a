using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>The root jail under attack: hostile paths and links against every operation, with a sentinel tree outside.</summary>
public class JailTests
{
    /// <summary>Paths every operation must refuse with InvalidPath, whatever the tree holds.</summary>
    public static TheoryData<string, string> RefusedPaths => new()
    {
        { "dotdot alone", ".." },
        { "dotdot trailing slash", "../" },
        { "dotdot after root", "/.." },
        { "dotdot first", "../outside/secret.txt" },
        { "dotdot last", "a/.." },
        { "dotdot middle", "a/../../outside/secret.txt" },
        { "dotdot deep", "a/b/c/../../../../outside/secret.txt" },
        { "dotdot many", "/../../../../../../../../etc/passwd" },
        { "dotdot backslash", "..\\outside\\secret.txt" },
        { "dotdot mixed separators", "a\\../..\\outside/secret.txt" },
        { "drive letter", "C:" },
        { "drive letter path", "C:\\Windows\\win.ini" },
        { "drive letter forward", "c:/x" },
        { "drive relative", "C:x" },
        { "device path", "\\\\?\\C:\\x" },
        { "UNC with dotdot", "\\\\server\\share\\..\\..\\..\\x" },
        { "NUL char", "a\0b" },
        { "NUL char after dotdot", "..\0" },
        { "control char", "a\u0001b" },
        { "newline", "x\ny" },
        { "DEL char", "x\u007F" },
        { "fullwidth dotdot", "．．" },
        { "fullwidth dotdot path", "．．/outside/secret.txt" },
        { "fullwidth dotdot middle", "a/．．/．．/outside" },
        { "fullwidth solidus", "．．／outside" },
        { "two dot leader", "\u2025" },
        { "one dot leaders", "\u2024\u2024" },
        { "reserved NUL", "NUL" },
        { "reserved con.txt", "con.txt" },
        { "reserved COM1", "a/COM1" },
        { "reserved lpt superscript", "LPT¹" },
        { "trailing dot", "trailing./x" },
        { "trailing space", "x /y" },
        { "wildcard", "*" },
        { "server folder", ".psftp" },
        { "server folder partial", ".psftp/partial" },
        { "server folder upper case", "/.PSFTP/done" },
        { "server folder backslash", "\\.psftp\\trash" },
        { "over-long name", new string('n', 256) },
        { "over-long path", string.Join("/", Enumerable.Repeat(new string('p', 200), 21)) },
        { "too deep", string.Join("/", Enumerable.Repeat("d", 65)) },
    };

    /// <summary>Paths that read as odd but stay inside the root: whatever the answer, nothing outside may change.</summary>
    public static TheoryData<string, string> ContainedPaths => new()
    {
        { "absolute Unix path", "/etc/passwd" },
        { "UNC path", "\\\\server\\share\\x" },
        { "double slash", "//server/share/x" },
        { "device namespace", "\\\\.\\pipe\\x" },
        { "dot segments", "./a/./b" },
        { "the root", "/" },
    };

    [Theory]
    [MemberData(nameof(RefusedPaths))]
    public async Task EveryOperation_HostilePath_InvalidPathAndNothingTouched(string what, string path)
    {
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        var before = jail.Snapshot();
        using var client = await server.ConnectAsync();

        foreach (var operation in Jail.AllOperations)
        {
            var outcome = await Jail.RunAsync(client, operation, path);

            Assert.True(outcome.Refused && outcome.Status == FtpStatus.InvalidPath, $"{what}, {operation}: {outcome}");
            Assert.False(string.IsNullOrWhiteSpace(outcome.Message));
            Assert.DoesNotContain(server.Sandbox, outcome.Message);
            Jail.AssertNothingLeaked(outcome, $"{what}, {operation}");
        }

        jail.AssertUntouched(before, what);
        Assert.Equal([jail.Outside, server.Root], Directory.GetFileSystemEntries(server.Sandbox).Order());
        Assert.Equal([Path.Join(server.Root, ".psftp")], Directory.GetFileSystemEntries(server.Root));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Theory]
    [MemberData(nameof(ContainedPaths))]
    public async Task EveryOperation_OddButContainedPath_StaysInsideRoot(string what, string path)
    {
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        var before = jail.Snapshot();
        using var client = await server.ConnectAsync();

        foreach (var operation in Jail.AllOperations)
        {
            var outcome = await Jail.RunAsync(client, operation, path);

            Jail.AssertNothingLeaked(outcome, $"{what}, {operation}");
        }

        jail.AssertUntouched(before, what);
        Assert.Equal([jail.Outside, server.Root], Directory.GetFileSystemEntries(server.Sandbox).Order());
        Assert.True(Directory.Exists(server.PartialFolder), "the server's own folder survived");
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    public static TheoryData<string> LinkedPaths =>
    [
        "dir-link",
        "dir-link/",
        "dir-link/secret.txt",
        "dir-link/deep",
        "dir-link/deep/sub/f.txt",
        "dir-link/new-folder/new.txt",
        "file-link.txt",
        "relative-link",
        "relative-link/secret.txt",
        "chain-link",
        "chain-link/secret.txt",
        "dotdot-text-link",
        "dotdot-text-dir-link/secret.txt",
        "server-folder-link",
        "server-folder-link/partial",
        "server-folder-link/done",
        "dangling-to-outside",
    ];

    [Theory]
    [MemberData(nameof(LinkedPaths))]
    public async Task EveryOperation_LinkLeadingOutsideRoot_RefusedAndNothingTouched(string path)
    {
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        MakeHostileLinks(server, jail);
        var before = jail.Snapshot();
        var partialsBefore = Directory.GetFileSystemEntries(Path.Join(server.Root, ".psftp"), "*", SearchOption.AllDirectories).Order().ToList();
        using var client = await server.ConnectAsync();

        foreach (var operation in Jail.AllOperations)
        {
            var outcome = await Jail.RunAsync(client, operation, path);

            Jail.AssertNothingLeaked(outcome, $"{path}, {operation}");
            // A delete may remove a link itself (never what it points to), and an upload may then put a file under its name
            // (an overwrite replaces a link, never writes through it): both stay inside. Reading is refused.
            if (operation is not (Operation.UploadFileName or Operation.UploadPath or Operation.UploadOverwrite or Operation.Delete or Operation.DeleteRecursive)
                || path.StartsWith("dir-link", StringComparison.Ordinal))
            {
                Assert.True(outcome.Refused, $"{path}, {operation}: {outcome}");
                Assert.Contains(outcome.Status, new[] { FtpStatus.InvalidPath, FtpStatus.NotFound });
            }
        }

        jail.AssertUntouched(before, path);
        Assert.Equal(partialsBefore, Directory.GetFileSystemEntries(Path.Join(server.Root, ".psftp"), "*", SearchOption.AllDirectories).Order());
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task List_RootWithHostileLinks_ShowsNoneOfThemAndNothingOutside()
    {
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        MakeHostileLinks(server, jail);
        Directory.CreateDirectory(server.FullPath("real"));
        File.WriteAllText(server.FullPath("real/inside.txt"), "inside, longer than the secret");
        Directory.CreateSymbolicLink(server.FullPath("inside-link"), "real");
        using var client = await server.ConnectAsync();

        var listing = await ExchangeTests.ListAsync(client, "", recursive: true);

        Assert.Equal(["inside-link", "real", "real/inside.txt"], listing.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_LinkLoopInRoot_SkippedAndTheRestListed()
    {
        await using var server = await TestServer.StartAsync();
        File.CreateSymbolicLink(server.FullPath("loop-a"), "loop-b");
        File.CreateSymbolicLink(server.FullPath("loop-b"), "loop-a");
        File.WriteAllText(server.FullPath("plain.txt"), "plain");
        using var client = await server.ConnectAsync();

        var listing = await ExchangeTests.ListAsync(client, "", recursive: true);
        var download = await Jail.RunAsync(client, Operation.Download, "loop-a");

        Assert.Equal(["plain.txt"], listing.Select(e => e.Path));
        Assert.True(download.Refused && download.Status is FtpStatus.NotFound or FtpStatus.InvalidPath, download.ToString());
    }

    /// <summary>
    /// The text of this link reads as inside the root ("sub/../secret.txt" becomes "secret.txt"), but "sub" is itself a
    /// link to a folder outside, so the kernel resolves it outside. Only a check of the real location catches it.
    /// </summary>
    [Fact]
    public async Task Download_LinkWhoseTextLooksInsideButResolvesOutside_Refused()
    {
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        Directory.CreateSymbolicLink(server.FullPath("sub"), Path.Join(jail.Outside, "deep"));
        File.CreateSymbolicLink(server.FullPath("evil.txt"), "sub/../secret.txt");
        var before = jail.Snapshot();
        using var client = await server.ConnectAsync();

        var download = await Jail.RunAsync(client, Operation.Download, "evil.txt");
        var hash = await Jail.RunAsync(client, Operation.Hash, "evil.txt");
        var stat = await Jail.RunAsync(client, Operation.Stat, "evil.txt");

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (download.Type, download.Status));
        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (hash.Type, hash.Status));
        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (stat.Type, stat.Status));
        jail.AssertUntouched(before, "evil.txt");
    }

    [Fact]
    public async Task AnyRequest_LinkIntoServerFolder_RefusedAndPartialsKept()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateSymbolicLink(server.FullPath("internal"), Path.Join(server.Root, ".psftp"));
        File.WriteAllText(Path.Join(server.PartialFolder, "someone.part"), "half an upload");
        using var client = await server.ConnectAsync();

        var list = await Jail.RunAsync(client, Operation.ListRecursive, "internal/partial");
        var download = await Jail.RunAsync(client, Operation.Download, "internal/partial/someone.part");
        var delete = await Jail.RunAsync(client, Operation.DeleteRecursive, "internal/partial");
        var upload = await Jail.RunAsync(client, Operation.UploadPath, "internal/partial/");

        Assert.All(new[] { list, download, delete, upload }, o => Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (o.Type, o.Status)));
        Assert.Equal("half an upload", File.ReadAllText(Path.Join(server.PartialFolder, "someone.part")));
    }

    /// <summary>Paths that reach the server's own folder through links that lead back to the root, as copied trees often hold.</summary>
    public static TheoryData<string> ServerFolderByLinkPaths =>
    [
        "self/.psftp",
        "self/.psftp/",
        "self/.psftp/partial",
        "self/.psftp/uploads.log",
        "self/.PSFTP",
        "self/self/.psftp/trash",
        "sub/up/.psftp",
        "sub/up/.psftp/partial/someone.part",
        "absolute/.psftp",
    ];

    [Theory]
    [MemberData(nameof(ServerFolderByLinkPaths))]
    public async Task EveryOperation_LinkBackToRootThenServerFolder_InvalidPathAndStateUntouched(string path)
    {
        await using var server = await TestServer.StartAsync();
        MakeLinksToRoot(server);
        File.WriteAllText(Path.Join(server.PartialFolder, "someone.part"), "half an upload");
        string state = Path.Join(server.Root, ".psftp");
        var stateBefore = StateSnapshot(state);
        using var client = await server.ConnectAsync();

        foreach (var operation in Jail.AllOperations)
        {
            var outcome = await Jail.RunAsync(client, operation, path);

            Assert.True(outcome.Refused && outcome.Status == FtpStatus.InvalidPath, $"{path}, {operation}: {outcome}");
            Assert.DoesNotContain(server.Sandbox, outcome.Message);
            Assert.Equal("", System.Text.Encoding.UTF8.GetString(outcome.Body));
        }

        Assert.Equal(stateBefore, StateSnapshot(state));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Theory]
    [InlineData("self", false)]
    [InlineData("self", true)]
    [InlineData("self/self", false)]
    [InlineData("sub/up", false)]
    [InlineData("sub/up", true)]
    [InlineData("absolute", true)]
    public async Task List_LinkBackToRoot_ServerFolderNotShown(string path, bool recursive)
    {
        await using var server = await TestServer.StartAsync();
        MakeLinksToRoot(server);
        using var client = await server.ConnectAsync();

        var listing = await ExchangeTests.ListAsync(client, path, recursive);

        // Linked folders are listed, not entered; "sub" is a real folder and is.
        string[] expected = recursive ? ["absolute", "self", "sub", "sub/up"] : ["absolute", "self", "sub"];
        Assert.Equal(expected.Select(e => path + "/" + e), listing.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A hard link is the file itself, not a pointer, so a hard link to a file outside cannot be told from a file inside.
    /// Policy: it is served like any file (making it took write access to the root and, with the kernel's
    /// protected_hardlinks, access to the file), but no request ever writes through it: an overwrite replaces the name,
    /// a delete removes the name.
    /// </summary>
    [Fact]
    public async Task UploadAndDelete_HardLinkToOutsideFile_ReplaceOrRemoveOnlyTheName()
    {
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        string secret = Path.Join(jail.Outside, "secret.txt");
        Jail.HardLink(secret, server.FullPath("hard.txt"));
        Jail.HardLink(Path.Join(jail.Outside, "victim.txt"), server.FullPath("hard-victim.txt"));
        var before = jail.Snapshot();
        using var client = await server.ConnectAsync();

        var overwrite = await Jail.RunAsync(client, Operation.UploadOverwrite, "hard.txt");
        var delete = await Jail.RunAsync(client, Operation.Delete, "hard-victim.txt");

        Assert.Equal(FrameType.Ok, overwrite.Type);
        Assert.Equal(FrameType.Ok, delete.Type);
        Assert.Equal("planted", File.ReadAllText(server.FullPath("hard.txt")));
        Assert.False(File.Exists(server.FullPath("hard-victim.txt")));
        jail.AssertUntouched(before, "hard links");
    }

    /// <summary>Links that lead back to the root: relative to the folder itself, to its parent, and absolute.</summary>
    private static void MakeLinksToRoot(TestServer server)
    {
        Directory.CreateSymbolicLink(server.FullPath("self"), ".");
        Directory.CreateDirectory(server.FullPath("sub"));
        Directory.CreateSymbolicLink(server.FullPath("sub/up"), "..");
        Directory.CreateSymbolicLink(server.FullPath("absolute"), server.Root);
    }

    /// <summary>Every name, length and content in the server's own folder.</summary>
    private static List<string> StateSnapshot(string state) =>
        Directory.GetFileSystemEntries(state, "*", SearchOption.AllDirectories)
            .Select(e => File.Exists(e) ? $"{e} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(e)))}" : e)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static void MakeHostileLinks(TestServer server, Jail jail)
    {
        Directory.CreateSymbolicLink(server.FullPath("dir-link"), jail.Outside);
        File.CreateSymbolicLink(server.FullPath("file-link.txt"), Path.Join(jail.Outside, "secret.txt"));
        Directory.CreateSymbolicLink(server.FullPath("relative-link"), "../outside");
        Directory.CreateSymbolicLink(server.FullPath("chain-link"), "relative-link");
        Directory.CreateSymbolicLink(server.FullPath("sub-out"), Path.Join(jail.Outside, "deep"));
        File.CreateSymbolicLink(server.FullPath("dotdot-text-link"), "sub-out/../secret.txt");
        Directory.CreateSymbolicLink(server.FullPath("dotdot-text-dir-link"), "sub-out/..");
        Directory.CreateSymbolicLink(server.FullPath("server-folder-link"), ".psftp");
        File.CreateSymbolicLink(server.FullPath("dangling-to-outside"), Path.Join(jail.Outside, "missing.txt"));
    }
}
