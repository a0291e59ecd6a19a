using Microsoft.Extensions.Time.Testing;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// The shortcuts a small upload takes on Linux (one statx per path component, a folder pinned before any mkdir, one
/// renameat2 at commit), and that the jail answers the same with them as without them.
/// </summary>
public sealed class FastPathTests : IDisposable
{
    private readonly string _base = Path.Join(Path.GetTempPath(), "psftp-fast-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private string Root => Path.Join(_base, "root");

    private string Outside => Path.Join(_base, "outside");

    public FastPathTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    [Fact]
    public void TryProbe_EachKindOfItem_SaysMissingLinkOrPresent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        File.WriteAllText(Path.Join(Root, "file"), "x");
        File.CreateSymbolicLink(Path.Join(Root, "link"), "file");
        File.CreateSymbolicLink(Path.Join(Root, "dangling"), "nowhere");

        Assert.Equal(PinnedItem.Probe.Present, PinnedItem.TryProbe(Path.Join(Root, "file")));
        Assert.Equal(PinnedItem.Probe.Present, PinnedItem.TryProbe(Root));
        Assert.Equal(PinnedItem.Probe.Link, PinnedItem.TryProbe(Path.Join(Root, "link")));
        Assert.Equal(PinnedItem.Probe.Link, PinnedItem.TryProbe(Path.Join(Root, "dangling")));
        Assert.Equal(PinnedItem.Probe.Missing, PinnedItem.TryProbe(Path.Join(Root, "missing")));
        // A file on the way (ENOTDIR) is as missing as nothing at all.
        Assert.Equal(PinnedItem.Probe.Missing, PinnedItem.TryProbe(Path.Join(Root, "file", "below")));
    }

    [Fact]
    public void TryProbe_NotLinux_SaysNothing()
    {
        if (OperatingSystem.IsLinux())
        {
            return;
        }
        Assert.Null(PinnedItem.TryProbe(Root));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Resolve_WithAndWithoutProbe_SameAnswers(bool probe)
    {
        Directory.CreateDirectory(Path.Join(Root, "real"));
        Directory.CreateSymbolicLink(Path.Join(Root, "inside"), "real");
        Directory.CreateSymbolicLink(Path.Join(Root, "out"), Outside);
        Directory.CreateSymbolicLink(Path.Join(Root, "self"), ".");
        var jail = new RootJail(Root);
        try
        {
            PinnedItem.SetProbeSupportedForTests(probe);

            Assert.Equal("real/new.bin", jail.Resolve("real/new.bin").Normalized);
            Assert.Equal("inside/new.bin", jail.Resolve("inside/new.bin").Normalized);
            Assert.Equal("missing/deeper/new.bin", jail.Resolve("missing/deeper/new.bin").Normalized);
            Assert.Equal(FtpStatus.InvalidPath, Assert.Throws<FtpException>(() => jail.Resolve("out/new.bin")).Status);
            Assert.Contains("outside", Assert.Throws<FtpException>(() => jail.Resolve("out/new.bin")).Message);
            Assert.Contains("own folder", Assert.Throws<FtpException>(() => jail.Resolve("self/.psftp/partial")).Message);
        }
        finally
        {
            PinnedItem.SetProbeSupportedForTests(true);
        }
    }

    [Fact]
    public void CreateFoldersPinned_FoldersThereAndNot_MadeOncePinnedInside()
    {
        Directory.CreateDirectory(Path.Join(Root, "there"));
        var jail = new RootJail(Root);

        using (var made = jail.CreateFoldersPinned("there/new/newer"))
        {
            Assert.Equal(Path.Join(jail.Root, "there", "new", "newer"), made.RealPath);
        }
        using var again = jail.CreateFoldersPinned("there/new/newer");

        Assert.Equal(Path.Join(jail.Root, "there", "new", "newer"), again.RealPath);
    }

    [Fact]
    public void CreateFoldersPinned_FileOrLinkOutsideOnTheWay_Refused()
    {
        File.WriteAllText(Path.Join(Root, "file"), "x");
        Directory.CreateSymbolicLink(Path.Join(Root, "out"), Outside);
        var jail = new RootJail(Root);

        Assert.Equal(FtpStatus.NotADirectory, Assert.Throws<FtpException>(() => jail.CreateFoldersPinned("file/below")).Status);
        Assert.Equal(FtpStatus.InvalidPath, Assert.Throws<FtpException>(() => jail.CreateFoldersPinned("out/below")).Status);
        Assert.False(Directory.Exists(Path.Join(Outside, "below")));
    }

    [Fact]
    public void FolderForCommit_SameFolderAgain_SameFolderOwnHandle()
    {
        Directory.CreateDirectory(Path.Join(Root, "d"));
        var jail = new RootJail(Root);
        jail.Resolve("d", out string real);

        using (var first = jail.FolderForCommit("d", real))
        {
            Assert.Equal(real, first.RealPath);
        }
        // The first one's handle is closed: the second works on a handle of its own.
        using var second = jail.FolderForCommit("d", real);
        File.WriteAllText(Path.Join(second.Path, "x"), "x");

        Assert.Equal(real, second.RealPath);
        Assert.True(File.Exists(Path.Join(Root, "d", "x")));
    }

    [Fact]
    public void FolderForCommit_FolderMovedAndSwappedForLinkOutside_NotReusedRefused()
    {
        Directory.CreateDirectory(Path.Join(Root, "d"));
        var jail = new RootJail(Root);
        jail.Resolve("d", out string real);
        jail.FolderForCommit("d", real).Dispose();

        Directory.Move(Path.Join(Root, "d"), Path.Join(Root, "moved"));
        Directory.CreateSymbolicLink(Path.Join(Root, "d"), Outside);

        // Given where the path led before (a caller that walked before the swap): the kept handle no longer reads back
        // as there, and the walk refuses the link.
        Assert.Equal(FtpStatus.InvalidPath, Assert.Throws<FtpException>(() => jail.FolderForCommit("d", real)).Status);
        Assert.Empty(Directory.GetFileSystemEntries(Outside));
    }

    [Fact]
    public void FolderForCommit_FolderDeletedAndMadeAgain_TheNewFolder()
    {
        Directory.CreateDirectory(Path.Join(Root, "d"));
        var jail = new RootJail(Root);
        jail.Resolve("d", out string real);
        jail.FolderForCommit("d", real).Dispose();
        Directory.Delete(Path.Join(Root, "d"));
        Directory.CreateDirectory(Path.Join(Root, "d"));

        using var again = jail.FolderForCommit("d", real);
        File.WriteAllText(Path.Join(again.Path, "x"), "x");

        Assert.True(File.Exists(Path.Join(Root, "d", "x")));
    }

    [Fact]
    public void FolderForCommit_OtherFolder_WalkedTo()
    {
        Directory.CreateDirectory(Path.Join(Root, "a"));
        Directory.CreateDirectory(Path.Join(Root, "b"));
        var jail = new RootJail(Root);
        jail.Resolve("a", out string a);
        jail.Resolve("b", out string b);
        jail.FolderForCommit("a", a).Dispose();

        using var other = jail.FolderForCommit("b", b);

        Assert.Equal(b, other.RealPath);
    }

    [Fact]
    public async Task CommitAsync_TargetIsLinkIntoTheLastCommitsFolder_ReplacesTheLinkNotTheFileItLeadsTo()
    {
        var store = new LocalFolderStore(Root, _time);
        Directory.CreateDirectory(Path.Join(store.Root, "a"));
        Directory.CreateDirectory(Path.Join(store.Root, "b"));
        File.WriteAllText(Path.Join(store.Root, "b", "file"), "b's");
        File.CreateSymbolicLink(Path.Join(store.Root, "a", "file"), "../b/file");
        await UploadAsync(store, "b", "other", "into b first");

        var result = await UploadAsync(store, "a", "file", "new");

        Assert.Equal("a/file", result.Path);
        Assert.Equal("b's", File.ReadAllText(Path.Join(store.Root, "b", "file")));
        Assert.Null(new FileInfo(Path.Join(store.Root, "a", "file")).LinkTarget);
        Assert.Equal("new", File.ReadAllText(Path.Join(store.Root, "a", "file")));
    }

    [Fact]
    public async Task Record_JournalDeletedWhileKeptOpen_WrittenToANewJournal()
    {
        var store = new LocalFolderStore(Root, _time);
        string journal = Path.Join(store.Root, ".psftp", "uploads.log");
        await CommitResumableAsync(store, "first");
        File.Delete(journal);

        await CommitResumableAsync(store, "second");
        var restarted = new LocalFolderStore(Root, _time);

        Assert.Null(await restarted.FindCommittedAsync(ResumableRequest("first"), default));
        Assert.NotNull(await restarted.FindCommittedAsync(ResumableRequest("second"), default));
    }

    [Fact]
    public async Task Record_AfterSweepRewroteJournal_AppendedToTheNewOne()
    {
        var store = new LocalFolderStore(Root, _time);
        await CommitResumableAsync(store, "old");
        _time.Advance(TimeSpan.FromHours(25));
        await CommitResumableAsync(store, "young");
        await store.SweepPartialsAsync(TimeSpan.FromHours(24), default);

        await CommitResumableAsync(store, "after");
        var restarted = new LocalFolderStore(Root, _time);

        Assert.Null(await restarted.FindCommittedAsync(ResumableRequest("old"), default));
        Assert.NotNull(await restarted.FindCommittedAsync(ResumableRequest("young"), default));
        Assert.NotNull(await restarted.FindCommittedAsync(ResumableRequest("after"), default));
        Assert.False(File.Exists(Path.Join(store.Root, ".psftp", "uploads.log.tmp")));
    }

    private static UploadRequest ResumableRequest(string id) => new("", id + ".bin", 1, ConflictMode.Rename, id);

    private static async Task CommitResumableAsync(LocalFolderStore store, string id)
    {
        await using var upload = await store.BeginUploadAsync(ResumableRequest(id), default);
        await upload.WriteAsync(new(new byte[1]), default);
        await upload.CommitAsync(null, default);
    }

    private static async Task<UploadResult> UploadAsync(LocalFolderStore store, string folder, string name, string content)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(content);
        await using var upload = await store.BeginUploadAsync(new UploadRequest(folder, name, bytes.Length, ConflictMode.Overwrite), default);
        await upload.WriteAsync(new(bytes), default);
        return await upload.CommitAsync(null, default);
    }

    [Fact]
    public void TryMoveFile_ExistingTarget_RefusedWithoutReplaceReplacedWith()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        string from = Path.Join(Root, "from");
        string to = Path.Join(Root, "to");
        File.WriteAllText(from, "new");
        File.WriteAllText(to, "old");

        Assert.False(AtomicRename.TryMoveFile(from, to, replace: false, out int errno));
        Assert.True(AtomicRename.IsExists(errno));
        Assert.Equal("old", File.ReadAllText(to));
        Assert.True(AtomicRename.TryMoveFile(from, to, replace: true, out errno));
        Assert.Equal(0, errno);
        Assert.Equal("new", File.ReadAllText(to));
        Assert.False(File.Exists(from));
    }

    [Theory]
    [InlineData(ConflictMode.Rename)]
    [InlineData(ConflictMode.Fail)]
    [InlineData(ConflictMode.Overwrite)]
    public async Task CommitAsync_NameTaken_EachConflictModeAsBefore(ConflictMode conflict)
    {
        var store = new LocalFolderStore(Root, _time);
        await using var upload = await store.BeginUploadAsync(new UploadRequest("", "a.bin", 3, conflict), default);
        File.WriteAllText(Path.Join(store.Root, "a.bin"), "old");
        await upload.WriteAsync(new("new"u8.ToArray()), default);

        if (conflict == ConflictMode.Fail)
        {
            // Taken after the begin's check: the commit's own no-replace move refuses it.
            Assert.Equal(FtpStatus.AlreadyExists, (await Assert.ThrowsAsync<FtpException>(() => upload.CommitAsync(null, default))).Status);
            Assert.Equal("old", File.ReadAllText(Path.Join(store.Root, "a.bin")));
            return;
        }
        var result = await upload.CommitAsync(null, default);

        Assert.Equal(conflict == ConflictMode.Rename ? "a_1.bin" : "a.bin", result.Path);
        Assert.Equal("new", File.ReadAllText(Path.Join(store.Root, result.Path)));
        Assert.Empty(Directory.GetFiles(Path.Join(store.Root, ".psftp", "partial")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_base, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
