using Microsoft.Extensions.Time.Testing;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "psftp-store-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task SweepPartialsAsync_AbandonedOlderThanMaxAge_DeletedRunningUploadKept()
    {
        var store = new LocalFolderStore(_root, _time);
        string partials = Path.Join(store.Root, ".psftp", "partial");
        string abandoned = Path.Join(partials, "abandoned.part");
        File.WriteAllText(abandoned, "left by a crashed server");
        File.SetLastWriteTimeUtc(abandoned, _time.GetUtcNow().UtcDateTime);
        await using var running = await store.BeginUploadAsync(new UploadRequest("", "slow.bin", 10, ConflictMode.Rename), default);
        string recent = Path.Join(partials, "recent.part");
        File.WriteAllText(recent, "young");

        _time.Advance(TimeSpan.FromHours(25));
        File.SetLastWriteTimeUtc(recent, _time.GetUtcNow().UtcDateTime);
        int deleted = await store.SweepPartialsAsync(TimeSpan.FromHours(24), default);

        Assert.Equal(1, deleted);
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(recent));
        Assert.Equal(2, Directory.GetFiles(partials).Length);
    }

    [Fact]
    public async Task ListAsync_FileDeletedWhileListing_SkippedNotNotFound()
    {
        var store = new LocalFolderStore(_root, _time);
        Directory.CreateDirectory(Path.Join(store.Root, "shared"));
        File.WriteAllText(Path.Join(store.Root, "shared", "a.txt"), "a");
        File.WriteAllText(Path.Join(store.Root, "shared", "b.txt"), "b");
        await using var listing = store.ListAsync("shared", recursive: false, default).GetAsyncEnumerator();
        Assert.True(await listing.MoveNextAsync());
        Assert.Equal("shared/a.txt", listing.Current.Path);

        // Another session removes the next file before the listing reaches it.
        File.Delete(Path.Join(store.Root, "shared", "b.txt"));

        Assert.False(await listing.MoveNextAsync());
    }

    [Fact]
    public async Task WriteAsync_PayloadInSeveralBuffers_StoredInOrderAfterWhatCameBefore()
    {
        var store = new LocalFolderStore(_root, _time);
        byte[] content = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        await using var upload = await store.BeginUploadAsync(new UploadRequest("", "gathered.bin", content.Length, ConflictMode.Rename), default);

        await upload.WriteAsync(new(content.AsMemory(0, 100)), default);
        await upload.WriteAsync(Sequences.Split(content[100..], 1, 50, 50, 150), default);
        var result = await upload.CommitAsync(null, default);

        Assert.Equal(content.Length, result.Length);
        Assert.Equal(content, File.ReadAllBytes(Path.Join(store.Root, "gathered.bin")));
    }

    [Fact]
    public async Task BeginUploadAsync_DisposedWithoutCommit_PartialDeleted()
    {
        var store = new LocalFolderStore(_root, _time);
        var upload = await store.BeginUploadAsync(new UploadRequest("dir/", "x.bin", 3, ConflictMode.Rename), default);
        await upload.WriteAsync(new(new byte[3]), default);

        await upload.DisposeAsync();

        Assert.Empty(Directory.GetFiles(Path.Join(store.Root, ".psftp", "partial")));
        Assert.False(Directory.Exists(Path.Join(store.Root, "dir")));
    }

    [Fact]
    public async Task SweepPartialsAsync_OldResumablePartialsAndRecords_DeletedYoungAndRunningKept()
    {
        var store = new LocalFolderStore(_root, _time);
        string partials = Path.Join(store.Root, ".psftp", "partial");
        await using (var old = await store.BeginUploadAsync(new UploadRequest("", "old.bin", 10, ConflictMode.Rename, "old"), default))
        {
            await old.WriteAsync(new(new byte[4]), default);
        }
        await CommitAsync(store, "committed");
        var oldTime = _time.GetUtcNow().UtcDateTime;
        foreach (var file in Directory.GetFiles(partials))
        {
            File.SetLastWriteTimeUtc(file, oldTime);
        }
        await using var running = await store.BeginUploadAsync(new UploadRequest("", "run.bin", 10, ConflictMode.Rename, "running"), default);
        File.SetLastWriteTimeUtc(Partial(partials, "running"), oldTime);
        await using (var young = await store.BeginUploadAsync(new UploadRequest("", "y.bin", 10, ConflictMode.Rename, "young"), default))
        {
            await young.WriteAsync(new(new byte[2]), default);
        }

        _time.Advance(TimeSpan.FromHours(25));
        await CommitAsync(store, "recent");
        File.SetLastWriteTimeUtc(Partial(partials, "young"), _time.GetUtcNow().UtcDateTime);
        int deleted = await store.SweepPartialsAsync(TimeSpan.FromHours(24), default);

        Assert.Equal(2, deleted);
        Assert.Equal(["running", "young"], Directory.GetFiles(partials).Select(f => Path.GetFileName(f).Split('.')[0]).Order(StringComparer.Ordinal));
        Assert.Null(await store.FindCommittedAsync(Request("committed"), default));
        Assert.NotNull(await store.FindCommittedAsync(Request("recent"), default));
        // The journal was rewritten without the old record: a restarted server does not bring it back.
        var restarted = new LocalFolderStore(_root, _time);
        Assert.Null(await restarted.FindCommittedAsync(Request("committed"), default));
        Assert.NotNull(await restarted.FindCommittedAsync(Request("recent"), default));
    }

    [Fact]
    public async Task FindCommittedAsync_AfterRestart_AnswersFromJournal()
    {
        var store = new LocalFolderStore(_root, _time);
        await CommitAsync(store, "kept");

        var restarted = new LocalFolderStore(_root, _time);

        var found = await restarted.FindCommittedAsync(Request("kept"), default);
        Assert.Equal(("kept.bin", 1L, false), (found?.Path, found?.Length, found?.Renamed));
        Assert.Null(await restarted.FindCommittedAsync(Request("never"), default));
    }

    [Fact]
    public async Task FindCommittedAsync_SameIdOtherValues_Null()
    {
        var store = new LocalFolderStore(_root, _time);
        await CommitAsync(store, "same");
        var request = Request("same");

        Assert.NotNull(await store.FindCommittedAsync(request, default));
        Assert.Null(await store.FindCommittedAsync(request with { FileName = "other.bin" }, default));
        Assert.Null(await store.FindCommittedAsync(request with { Path = "sub/" }, default));
        Assert.Null(await store.FindCommittedAsync(request with { Length = 2 }, default));
        Assert.Null(await store.FindCommittedAsync(request with { Conflict = ConflictMode.Overwrite }, default));
        Assert.Null(await store.FindCommittedAsync(request with { HashAlgorithm = FtpHashAlgorithm.Sha256 }, default));
    }

    [Fact]
    public async Task FindCommittedAsync_JournalLineWithoutFingerprint_Null()
    {
        var store = new LocalFolderStore(_root, _time);
        // A record as servers wrote them before they kept the values: nothing says which file it was for.
        File.WriteAllText(Path.Join(store.Root, ".psftp", "uploads.log"),
            "{\"Id\":\"old\",\"Committed\":\"2025-01-01T00:00:00+00:00\",\"Result\":{\"Path\":\"old.bin\",\"Length\":1,\"Renamed\":false}}\n");

        var restarted = new LocalFolderStore(_root, _time);

        Assert.Null(await restarted.FindCommittedAsync(Request("old"), default));
    }

    [Fact]
    public async Task FindCommittedAsync_JournalLineCutShortByCrash_SkippedLaterRecordsKept()
    {
        var store = new LocalFolderStore(_root, _time);
        await CommitAsync(store, "first");
        string journal = Path.Join(store.Root, ".psftp", "uploads.log");
        File.AppendAllText(journal, "{\"Id\":\"torn\",\"Commi");

        var restarted = new LocalFolderStore(_root, _time);
        await CommitAsync(restarted, "after");
        var again = new LocalFolderStore(_root, _time);

        Assert.NotNull(await again.FindCommittedAsync(Request("first"), default));
        Assert.Null(await again.FindCommittedAsync(Request("torn"), default));
        Assert.NotNull(await again.FindCommittedAsync(Request("after"), default));
    }

    [Fact]
    public async Task CommitAsync_JournalCannotBeWritten_CommitsAndRemembersInMemory()
    {
        var store = new LocalFolderStore(_root, _time);
        // A folder where the journal should be: every append fails, as on a full disk.
        Directory.CreateDirectory(Path.Join(store.Root, ".psftp", "uploads.log"));

        await CommitAsync(store, "unjournaled");

        Assert.True(File.Exists(Path.Join(store.Root, "unjournaled.bin")));
        Assert.NotNull(await store.FindCommittedAsync(Request("unjournaled"), default));
    }

    [Fact]
    public async Task CommitAsync_ResumableUpload_LeavesNoFileButTheTarget()
    {
        var store = new LocalFolderStore(_root, _time);

        await CommitAsync(store, "tidy");

        // One line in the journal, no file per upload: creating and deleting files per upload is what made small uploads slow.
        Assert.Empty(Directory.GetFiles(Path.Join(store.Root, ".psftp", "partial")));
        Assert.Equal(["tidy.bin", "uploads.log"], Directory.GetFiles(store.Root, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BeginUploadAsync_HeldMoreThanLength_TruncatedToLength()
    {
        var store = new LocalFolderStore(_root, _time);
        var request = new UploadRequest("", "t.bin", 4, ConflictMode.Rename, "clamp");
        await using (var first = await store.BeginUploadAsync(request, default))
        {
            await first.WriteAsync(new("abcd"u8.ToArray()), default);
        }
        // Something appended behind the server's back.
        string partial = Partial(Path.Join(store.Root, ".psftp", "partial"), "clamp");
        File.AppendAllText(partial, "xyz");

        await using var again = await store.BeginUploadAsync(request, default);

        Assert.Equal(4, again.Offset);
        Assert.Equal(4, new FileInfo(partial).Length);
    }

    [Fact]
    public async Task BeginUploadAsync_RootRemoved_InternalErrorWhoseCauseNamesTheRoot()
    {
        var store = new LocalFolderStore(_root, _time);
        Directory.Delete(store.Root, recursive: true);

        var error = await Assert.ThrowsAsync<FtpException>(() => store.BeginUploadAsync(new UploadRequest("", "x.bin", 1, ConflictMode.Rename), default));

        Assert.Equal(FtpStatus.InternalError, error.Status);
        Assert.DoesNotContain(store.Root, error.Message);
        // What the log shows the operator beside the message.
        Assert.Contains($"'{store.Root}'", error.InnerException?.Message);
        Directory.CreateDirectory(store.Root);
    }

    [Fact]
    public async Task BeginUploadAsync_ServerFolderIsAFile_InternalErrorWhoseCauseNamesIt()
    {
        var store = new LocalFolderStore(_root, _time);
        string state = Path.Join(store.Root, ".psftp");
        Directory.Delete(state, recursive: true);
        File.WriteAllText(state, "not a folder");

        var error = await Assert.ThrowsAsync<FtpException>(() => store.BeginUploadAsync(new UploadRequest("", "x.bin", 1, ConflictMode.Rename, "an-id"), default));

        Assert.Equal(FtpStatus.InternalError, error.Status);
        Assert.DoesNotContain(store.Root, error.Message);
        Assert.Contains($"'{state}' is a file or a link", error.InnerException?.Message);
    }

    [Fact]
    public async Task CommitAsync_ServerFolderDeletedMidUpload_InternalErrorThenNextUploadStored()
    {
        var store = new LocalFolderStore(_root, _time);
        await using (var upload = await store.BeginUploadAsync(new UploadRequest("", "x.bin", 1, ConflictMode.Rename), default))
        {
            await upload.WriteAsync(new(new byte[1]), default);
            Directory.Delete(Path.Join(store.Root, ".psftp"), recursive: true);

            var error = await Assert.ThrowsAsync<FtpException>(() => upload.CommitAsync(null, default));

            Assert.Equal(FtpStatus.InternalError, error.Status);
            Assert.Contains("removed from the server's own folder", error.Message, StringComparison.Ordinal);
        }

        await CommitAsync(store, "next");

        Assert.Equal(["next.bin"], Directory.GetFiles(store.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task SweepPartialsAsync_ServerFolderDeleted_RecreatedAndNothingSwept()
    {
        var store = new LocalFolderStore(_root, _time);
        Directory.Delete(Path.Join(store.Root, ".psftp"), recursive: true);

        int deleted = await store.SweepPartialsAsync(TimeSpan.FromHours(24), default);

        Assert.Equal(0, deleted);
        Assert.True(Directory.Exists(Path.Join(store.Root, ".psftp", "partial")));
        Assert.True(Directory.Exists(Path.Join(store.Root, ".psftp", "trash")));
    }

    private static string Partial(string partials, string id) => Directory.GetFiles(partials, id + ".*.part").Single();

    /// <summary>The resumable upload of one byte that <see cref="CommitAsync"/> commits as <c>{id}.bin</c>.</summary>
    private static UploadRequest Request(string id) => new("", id + ".bin", 1, ConflictMode.Rename, id);

    private static async Task CommitAsync(LocalFolderStore store, string id)
    {
        await using var upload = await store.BeginUploadAsync(Request(id), default);
        await upload.WriteAsync(new(new byte[1]), default);
        await upload.CommitAsync(null, default);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
